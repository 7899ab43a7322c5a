public import Foundation

/// A `notification_templates` row with its identity and version, so a compiled copy can be cached
/// until the row changes.
public struct StoredTemplate: Sendable, Hashable {
    /// The row id.
    public var id: UUID
    /// The row's `updated_at`: a change gives a new cache key.
    public var updatedAt: Date
    /// The sources.
    public var template: NotificationTemplate
}
