public import Foundation

/// What `notification.route` reads: the notification and its user's preferences (absent when the
/// user has no `notification_preferences` row).
public struct NotificationRoutingInput: Sendable, Hashable {
    public var id: UUID
    public var tenantID: UUID
    public var userID: UUID
    public var priority: NotificationPriority
    public var routedAt: Date?
    /// False when the user has no preferences row (then the table's defaults apply: daily digest, no SMS, no address).
    public var hasPreferences: Bool
    public var email: String?
    public var phone: String?
    public var smsEnabled: Bool
    public var digestFrequency: DigestFrequency
}
