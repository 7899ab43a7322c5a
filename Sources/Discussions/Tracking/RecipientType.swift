/// Who receives a discussion email, as stored in `discussion_email_tracking.recipient_type`.
public enum RecipientType: String, Sendable, Hashable, Codable, CaseIterable {
    case clientContact = "client_contact"
    case freelancer
    case external
}
