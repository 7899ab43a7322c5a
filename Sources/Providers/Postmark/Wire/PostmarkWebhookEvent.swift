public import Foundation
public import Mail

/// The fields Herald reads from Postmark's Delivery, Bounce, SpamComplaint, SubscriptionChange,
/// Open and Click webhooks (one JSON object each, told apart by `RecordType`), and what Postmark
/// means by them: the bounce's ``BounceType``, whether the address must be suppressed, the event's
/// time. Pure: recording an event is the job of the service that owns the rows it is about.
public struct PostmarkWebhookEvent: Decodable, Sendable, Hashable {
    /// `Geo` of an Open or Click.
    public struct Geo: Decodable, Sendable, Hashable {
        /// The opener's or clicker's IP address, as Postmark saw it.
        public var ip: String?
        enum CodingKeys: String, CodingKey { case ip = "IP" }
    }

    /// `RecordType`: `Delivery`, `Bounce`, `SpamComplaint`, `SubscriptionChange`, `Open`, `Click` …
    public var recordType: String
    /// Postmark's `MessageID` of the email the event is about.
    public var messageID: String?
    public var recipient: String?
    public var email: String?
    /// Bounce `Type` name (`HardBounce`, `Transient` …).
    public var type: String?
    /// Bounce `TypeCode`.
    public var typeCode: Int?
    public var description: String?
    public var details: String?
    /// Bounce: Postmark deactivated the address (every later send to it fails with 406).
    public var inactive: Bool?
    public var deliveredAt: String?
    public var bouncedAt: String?
    public var receivedAt: String?
    public var userAgent: String?
    /// The metadata Herald sent with the email (`herald_pixel_id`, `herald_notif_id` …).
    public var metadata: [String: String]?
    public var geo: Geo?
    /// SubscriptionChange: whether Postmark now suppresses the recipient.
    public var suppressSending: Bool?
    /// SubscriptionChange: `HardBounce`, `SpamComplaint`, `ManualSuppression` …
    public var suppressionReason: String?

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", messageID = "MessageID", recipient = "Recipient", email = "Email", type = "Type"
        case typeCode = "TypeCode", description = "Description", details = "Details", inactive = "Inactive"
        case deliveredAt = "DeliveredAt", bouncedAt = "BouncedAt", receivedAt = "ReceivedAt", userAgent = "UserAgent"
        case metadata = "Metadata", geo = "Geo", suppressSending = "SuppressSending", suppressionReason = "SuppressionReason"
    }

    /// An event with these fields (tests and tools; webhooks are parsed by ``init(json:)``).
    public init(recordType: String, messageID: String? = nil, recipient: String? = nil, email: String? = nil) {
        self.recordType = recordType
        self.messageID = messageID
        self.recipient = recipient
        self.email = email
    }

    /// Parses one webhook body.
    /// - Throws: `DecodingError` when it is not a JSON object with a string `RecordType`, or a
    ///   field has the wrong type.
    public init(json: [UInt8]) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(json))
    }

    /// The address the event is about (`Recipient`, else `Email`; nil when blank).
    public var address: String? { (recipient ?? email).flatMap { $0.isEmpty ? nil : $0 } }

    /// A Bounce or SpamComplaint: a complaint for `SpamComplaint`, else the type of
    /// ``PostmarkBounceClassifier``.
    public var bounceType: BounceType {
        recordType == "SpamComplaint" ? .complaint : PostmarkBounceClassifier.classify(type: type, typeCode: typeCode)
    }

    /// A Bounce or SpamComplaint: `Description — Details` (the parts given), else the record type.
    public var bounceReason: String {
        let reason = [description, details].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ")
        return reason.isEmpty ? recordType : reason
    }

    /// A Bounce or SpamComplaint: true when the address must not be emailed again (a hard bounce,
    /// a complaint, or Postmark deactivated it).
    public var suppressesAddress: Bool {
        bounceType.suppressesAddress
            || PostmarkBounceClassifier.shouldSuppress(type: type, typeCode: typeCode, inactive: inactive ?? false)
    }

    /// A SubscriptionChange: the bounce type its `SuppressionReason` stands for (`HardBounce`:
    /// hard, `SpamComplaint`: complaint; nil for a manual suppression or none).
    public var suppressionBounceType: BounceType? {
        switch suppressionReason ?? "" {
        case "HardBounce": .hard
        case "SpamComplaint": .complaint
        default: nil
        }
    }

    /// When the event happened: `DeliveredAt`, `BouncedAt` or `ReceivedAt` for its record type,
    /// nil when absent or unreadable.
    public var occurredAt: Date? {
        switch recordType {
        case "Delivery": Self.date(deliveredAt)
        case "Bounce", "SpamComplaint": Self.date(bouncedAt)
        default: Self.date(receivedAt)
        }
    }

    /// A Postmark timestamp (ISO 8601, with or without fractional seconds), or nil.
    public static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
