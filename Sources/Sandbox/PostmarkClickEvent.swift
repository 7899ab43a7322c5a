public import Foundation

/// Postmark's Click webhook: a recipient clicked a tracked link.
public struct PostmarkClickEvent: PostmarkWebhookPayload, Hashable {
    /// Always `"Click"`; stored, so the synthesized `Encodable` writes it with the other members.
    public let recordType = "Click"
    /// `MessageStream`.
    public var messageStream: String
    /// `Metadata` of the sent message.
    public var metadata: [String: String]
    /// `Recipient`.
    public var recipient: String
    /// `MessageID` of the sent message.
    public var messageID: String
    /// `ReceivedAt`: when the click happened.
    public var receivedAt: Date
    /// `Platform`: `Desktop`, `Mobile`, `WebMail` or `Unknown`.
    public var platform: String
    /// `ClickLocation`: `HTML` or `Text`.
    public var clickLocation: String
    /// `OriginalLink`: the link as it was in the message.
    public var originalLink: String
    /// `Tag` of the sent message.
    public var tag: String
    /// `UserAgent`.
    public var userAgent: String
    /// `OS`.
    public var os: PostmarkUserAgentInfo
    /// `Client`.
    public var client: PostmarkUserAgentInfo
    /// `Geo` (its `IP` is the clicker's address).
    public var geo: PostmarkGeo

    /// Creates a click event.
    public init(
        messageID: String, recipient: String, originalLink: String, clickLocation: String = "HTML",
        receivedAt: Date = Date(), userAgent: String = PostmarkOpenEvent.sampleUserAgent, platform: String = "Desktop",
        tag: String = "", metadata: [String: String] = [:], messageStream: String = "outbound",
        os: PostmarkUserAgentInfo = .macOS, client: PostmarkUserAgentInfo = .chrome, geo: PostmarkGeo = .sample
    ) {
        self.messageID = messageID
        self.recipient = recipient
        self.originalLink = originalLink
        self.clickLocation = clickLocation
        self.receivedAt = receivedAt
        self.userAgent = userAgent
        self.platform = platform
        self.tag = tag
        self.metadata = metadata
        self.messageStream = messageStream
        self.os = os
        self.client = client
        self.geo = geo
    }

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", messageStream = "MessageStream", metadata = "Metadata"
        case recipient = "Recipient", messageID = "MessageID", receivedAt = "ReceivedAt", platform = "Platform"
        case clickLocation = "ClickLocation", originalLink = "OriginalLink", tag = "Tag", userAgent = "UserAgent"
        case os = "OS", client = "Client", geo = "Geo"
    }
}
