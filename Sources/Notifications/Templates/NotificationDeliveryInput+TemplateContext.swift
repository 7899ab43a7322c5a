public import HeraldJSON
import Postgres

extension NotificationDeliveryInput {
    /// The template context every channel renders with: the notification's `data` at the top
    /// level plus `type`, `priority`, `notification_id`, `recipient_email` and `recipient_name`
    /// (data keys win).
    public var templateContext: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("type", .string(type)), ("priority", .string(priority.rawValue)), ("notification_id", .string(id.lowercasedString)),
        ]
        if let email { members.append(("recipient_email", .string(email))) }
        if let name = recipientName, !name.isEmpty { members.append(("recipient_name", .string(name))) }
        return .context(members, overlaidWith: data.text)
    }
}
