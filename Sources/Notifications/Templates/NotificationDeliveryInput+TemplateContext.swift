import Postgres

extension NotificationDeliveryInput {
    /// The template context every channel renders with: the notification's `data` at the top
    /// level plus `type`, `priority`, `notification_id`, `recipient_email` and `recipient_name`
    /// (data keys win).
    public var templateContext: TemplateValue {
        var members: [String: TemplateValue] = [
            "type": .string(type), "priority": .string(priority.rawValue),
            "notification_id": .string(id.lowercasedString),
        ]
        if let email { members["recipient_email"] = .string(email) }
        if let name = recipientName, !name.isEmpty { members["recipient_name"] = .string(name) }
        if case .object(let fields)? = try? TemplateValue(parsingJSON: data.text) {
            members.merge(fields) { _, fromData in fromData }
        }
        return .object(members)
    }
}
