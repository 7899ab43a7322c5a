import Foundation

/// The fields Herald reads from Postmark's Delivery, Bounce, SpamComplaint, SubscriptionChange,
/// Open and Click webhooks (one JSON object each, told apart by `RecordType`).
struct PostmarkWebhookEvent: Decodable, Sendable {
    struct Geo: Decodable, Sendable {
        var ip: String?
        enum CodingKeys: String, CodingKey { case ip = "IP" }
    }

    var recordType: String
    var messageID: String?
    var recipient: String?
    var email: String?
    var type: String?
    var typeCode: Int?
    var description: String?
    var details: String?
    var inactive: Bool?
    var deliveredAt: String?
    var bouncedAt: String?
    var receivedAt: String?
    var userAgent: String?
    var metadata: [String: String]?
    var geo: Geo?
    /// SubscriptionChange: whether Postmark now suppresses the recipient.
    var suppressSending: Bool?
    /// SubscriptionChange: `HardBounce`, `SpamComplaint`, `ManualSuppression` …
    var suppressionReason: String?

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", messageID = "MessageID", recipient = "Recipient", email = "Email", type = "Type"
        case typeCode = "TypeCode", description = "Description", details = "Details", inactive = "Inactive"
        case deliveredAt = "DeliveredAt", bouncedAt = "BouncedAt", receivedAt = "ReceivedAt", userAgent = "UserAgent"
        case metadata = "Metadata", geo = "Geo", suppressSending = "SuppressSending", suppressionReason = "SuppressionReason"
    }

    /// The address the event is about.
    var address: String? { (recipient ?? email).flatMap { $0.isEmpty ? nil : $0 } }

    /// A Postmark timestamp (ISO 8601, with or without fractional seconds), or nil.
    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
