public import Foundation
public import Postgres

/// What `email.send` and `sms.send` read in one query: the notification, the recipient, the
/// tenant's sender and signature, whether the address is suppressed, and the template to render
/// (the tenant's override of the notification's type first, then the default of the type, then
/// the tenant's or default `default` template).
public struct NotificationDeliveryInput: Sendable {
    public var id: UUID
    public var tenantID: UUID
    public var userID: UUID
    public var type: String
    public var priority: NotificationPriority
    /// The notification's `data` object (template variables).
    public var data: PostgresJSON
    public var createdAt: Date
    public var emailSentAt: Date?
    public var smsSentAt: Date?
    /// The user's `notification_preferences` columns (a channel reads its own, e.g. a chat user id).
    public var preferences: ChannelPreferences
    /// The recipient address from the preferences, if any.
    public var email: String?
    /// `notification_preferences.name`: templates greet it as `recipient_name`.
    public var recipientName: String?
    /// True when `email` is in `email_suppressions`.
    public var suppressed: Bool
    public var signature: String?
    public var fromEmail: String?
    public var fromName: String?
    /// Nil when no template exists for the type nor `default`.
    public var template: StoredTemplate?
}
