public import Foundation
import Mail

/// A row of the NotificationTemplate model: the Mustache sources of one notification kind, either
/// the default (`tenantID == nil`) or one tenant's override.
public struct NotificationTemplate: Sendable, Hashable, Codable {
    /// The template key, e.g. `task.assigned`.
    public var key: String
    /// The tenant whose override this is, or `nil` for the default template.
    public var tenantID: UUID?
    /// The subject source (rendered without HTML escaping).
    public var subject: String
    /// The HTML body source (variables HTML-escaped).
    public var htmlBody: String
    /// The plain-text body source (rendered without HTML escaping).
    public var textBody: String
    /// The SMS body source (rendered without HTML escaping), if this notification has one.
    public var smsBody: String?

    /// Creates a template.
    public init(key: String, tenantID: UUID? = nil, subject: String, htmlBody: String, textBody: String, smsBody: String? = nil) {
        self.key = key
        self.tenantID = tenantID
        self.subject = subject
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.smsBody = smsBody
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
