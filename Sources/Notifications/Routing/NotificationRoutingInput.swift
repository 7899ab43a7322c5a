public import Foundation

/// What `notification.route` reads: the notification and its user's preferences row, which each
/// channel reads its own columns from.
public struct NotificationRoutingInput: Sendable, Hashable {
    public var id: UUID
    public var tenantID: UUID
    public var userID: UUID
    public var priority: NotificationPriority
    public var routedAt: Date?
    /// False when the user has no preferences row (then the table's defaults apply: daily digest, no SMS, no address).
    public var hasPreferences: Bool
    /// The user's `notification_preferences` columns (empty without a row).
    public var preferences: ChannelPreferences

    public init(id: UUID, tenantID: UUID, userID: UUID, priority: NotificationPriority, routedAt: Date? = nil,
                hasPreferences: Bool, preferences: ChannelPreferences) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.priority = priority
        self.routedAt = routedAt
        self.hasPreferences = hasPreferences
        self.preferences = preferences
    }
}
