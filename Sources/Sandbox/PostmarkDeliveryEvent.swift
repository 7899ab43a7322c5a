public import Foundation

/// Postmark's Delivery webhook: the receiving server accepted the message for one recipient.
public struct PostmarkDeliveryEvent: PostmarkWebhookPayload, Hashable {
    /// Always `"Delivery"`; stored, so the synthesized `Encodable` writes it with the other members.
    public let recordType = "Delivery"
    /// `ServerID`.
    public var serverID: Int
    /// `MessageStream`.
    public var messageStream: String
    /// `MessageID`: the ID Postmark returned when the message was sent.
    public var messageID: String
    /// `Recipient`.
    public var recipient: String
    /// `Tag` (empty when the message had none).
    public var tag: String
    /// `DeliveredAt`.
    public var deliveredAt: Date
    /// `Details`: the receiving server's response line.
    public var details: String
    /// `Metadata` of the sent message.
    public var metadata: [String: String]

    /// Creates a delivery event.
    public init(
        messageID: String, recipient: String, tag: String = "", metadata: [String: String] = [:],
        deliveredAt: Date = Date(), details: String = "smtp;250 2.0.0 OK (sandbox)",
        messageStream: String = "outbound", serverID: Int = 1
    ) {
        self.messageID = messageID
        self.recipient = recipient
        self.tag = tag
        self.metadata = metadata
        self.deliveredAt = deliveredAt
        self.details = details
        self.messageStream = messageStream
        self.serverID = serverID
    }

    /// The delivery of a message the sandbox accepted, to `recipient` (default: its first To address),
    /// carrying its MessageID, Tag, Metadata and MessageStream.
    public init(email: SandboxEmail, recipient: String? = nil, deliveredAt: Date = Date()) {
        self.init(
            messageID: email.messageID, recipient: recipient ?? email.toAddresses.first ?? email.to,
            tag: email.tag ?? "", metadata: email.metadata, deliveredAt: deliveredAt,
            messageStream: email.messageStream ?? "outbound")
    }

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", serverID = "ServerID", messageStream = "MessageStream"
        case messageID = "MessageID", recipient = "Recipient", tag = "Tag", deliveredAt = "DeliveredAt"
        case details = "Details", metadata = "Metadata"
    }
}
