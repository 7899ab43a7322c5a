public import Foundation

/// Postmark's Open webhook: a recipient opened a message sent with open tracking.
public struct PostmarkOpenEvent: PostmarkWebhookPayload, Hashable {
    /// Always `"Open"`.
    public let recordType = "Open"
    /// `FirstOpen`: whether this is the recipient's first open of the message.
    public var firstOpen: Bool
    /// `ReadSeconds`.
    public var readSeconds: Int
    /// The members every Open and Click carries (`MessageID`, `Recipient`, `ReceivedAt`, `UserAgent`, `Geo` …).
    public var details: PostmarkTrackingDetails

    /// Creates an open event.
    public init(
        messageID: String, recipient: String, firstOpen: Bool = true, receivedAt: Date = Date(),
        userAgent: String = PostmarkTrackingDetails.sampleUserAgent, platform: String = "Desktop", readSeconds: Int = 5,
        tag: String = "", metadata: [String: String] = [:], messageStream: String = "outbound",
        os: PostmarkUserAgentInfo = .macOS, client: PostmarkUserAgentInfo = .chrome, geo: PostmarkGeo = .sample
    ) {
        self.firstOpen = firstOpen
        self.readSeconds = readSeconds
        self.details = PostmarkTrackingDetails(
            messageStream: messageStream, metadata: metadata, recipient: recipient, messageID: messageID,
            receivedAt: receivedAt, platform: platform, tag: tag, userAgent: userAgent, os: os, client: client, geo: geo)
    }

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", firstOpen = "FirstOpen", readSeconds = "ReadSeconds"
    }

    /// Writes ``details`` and the Open's own members as one JSON object.
    public func encode(to encoder: any Encoder) throws {
        try details.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recordType, forKey: .recordType)
        try container.encode(firstOpen, forKey: .firstOpen)
        try container.encode(readSeconds, forKey: .readSeconds)
    }
}
