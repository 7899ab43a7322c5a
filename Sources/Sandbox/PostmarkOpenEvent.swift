public import Foundation

/// Postmark's Open webhook: a recipient opened a message sent with open tracking.
public struct PostmarkOpenEvent: PostmarkWebhookPayload, Hashable {
    /// Always `"Open"`; stored, so the synthesized `Encodable` writes it with the other members.
    public let recordType = "Open"
    /// `MessageStream`.
    public var messageStream: String
    /// `Metadata` of the sent message.
    public var metadata: [String: String]
    /// `FirstOpen`: whether this is the recipient's first open of the message.
    public var firstOpen: Bool
    /// `Recipient`.
    public var recipient: String
    /// `MessageID` of the sent message.
    public var messageID: String
    /// `ReceivedAt`: when the open happened.
    public var receivedAt: Date
    /// `Platform`: `Desktop`, `Mobile`, `WebMail` or `Unknown`.
    public var platform: String
    /// `ReadSeconds`.
    public var readSeconds: Int
    /// `Tag` of the sent message.
    public var tag: String
    /// `UserAgent`.
    public var userAgent: String
    /// `OS`.
    public var os: PostmarkUserAgentInfo
    /// `Client`.
    public var client: PostmarkUserAgentInfo
    /// `Geo` (its `IP` is the opener's address).
    public var geo: PostmarkGeo

    /// Creates an open event.
    public init(
        messageID: String, recipient: String, firstOpen: Bool = true, receivedAt: Date = Date(),
        userAgent: String = PostmarkOpenEvent.sampleUserAgent, platform: String = "Desktop", readSeconds: Int = 5,
        tag: String = "", metadata: [String: String] = [:], messageStream: String = "outbound",
        os: PostmarkUserAgentInfo = .macOS, client: PostmarkUserAgentInfo = .chrome, geo: PostmarkGeo = .sample
    ) {
        self.messageID = messageID
        self.recipient = recipient
        self.firstOpen = firstOpen
        self.receivedAt = receivedAt
        self.userAgent = userAgent
        self.platform = platform
        self.readSeconds = readSeconds
        self.tag = tag
        self.metadata = metadata
        self.messageStream = messageStream
        self.os = os
        self.client = client
        self.geo = geo
    }

    /// A desktop Chrome user agent.
    public static let sampleUserAgent =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", messageStream = "MessageStream", metadata = "Metadata", firstOpen = "FirstOpen"
        case recipient = "Recipient", messageID = "MessageID", receivedAt = "ReceivedAt", platform = "Platform"
        case readSeconds = "ReadSeconds", tag = "Tag", userAgent = "UserAgent", os = "OS", client = "Client"
        case geo = "Geo"
    }
}
