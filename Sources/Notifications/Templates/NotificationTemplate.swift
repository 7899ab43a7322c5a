public import Foundation
import Mail

/// A row of the NotificationTemplate model: the Mustache sources of one notification kind, either
/// the default (`tenantID == nil`) or one tenant's override.
///
/// The sources are keyed by their `notification_templates` column (`subject`, `html_body`,
/// `text_body`, `sms_body`, and whatever a new channel's migration adds): each channel renders its
/// own columns (``NotificationChannel/templateFields``). A column that is NULL is absent.
public struct NotificationTemplate: Sendable, Hashable {
    /// The template key, e.g. `task.assigned`.
    public var key: String
    /// The tenant whose override this is, or `nil` for the default template.
    public var tenantID: UUID?
    /// The Mustache source of each non-NULL column, by column name.
    public var sources: [String: String]

    /// Creates a template from its sources by column.
    public init(key: String, tenantID: UUID? = nil, sources: [String: String]) {
        self.key = key
        self.tenantID = tenantID
        self.sources = sources
    }

    /// The template to use for `key` and `tenantID`: the tenant's override if one exists, else the
    /// default (`tenantID == nil`), else `nil`. Another tenant's override is never chosen.
    public static func select(key: String, tenantID: UUID?, from templates: some Sequence<NotificationTemplate>) -> NotificationTemplate? {
        var fallback: NotificationTemplate?
        for template in templates where template.key == key {
            if let tenantID, template.tenantID == tenantID { return template }
            if template.tenantID == nil, fallback == nil { fallback = template }
        }
        return fallback
    }

    /// Like ``select(key:tenantID:from:)`` but throws when neither exists.
    /// - Throws: `DeliveryError` `.templateNotFound`.
    public static func require(key: String, tenantID: UUID?, from templates: some Sequence<NotificationTemplate>) throws -> NotificationTemplate {
        guard let template = Self.select(key: key, tenantID: tenantID, from: templates) else {
            throw DeliveryError(code: .templateNotFound, message: "no notification template '\(key)' (neither a tenant override nor a default)")
        }
        return template
    }
}
