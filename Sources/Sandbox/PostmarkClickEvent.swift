public import Foundation

/// Postmark's Click webhook: a recipient clicked a tracked link.
public struct PostmarkClickEvent: PostmarkWebhookPayload, Hashable {
    /// Always `"Click"`.
    public let recordType = "Click"
    /// `ClickLocation`: `HTML` or `Text`.
    public var clickLocation: String
    /// `OriginalLink`: the link as it was in the message.
    public var originalLink: String
    /// The members every Open and Click carries (`MessageID`, `Recipient`, `ReceivedAt`, `UserAgent`, `Geo` …).
    public var details: PostmarkTrackingDetails

    /// Creates a click event.
    public init(
        messageID: String, recipient: String, originalLink: String, clickLocation: String = "HTML",
        receivedAt: Date = Date(), userAgent: String = PostmarkTrackingDetails.sampleUserAgent, platform: String = "Desktop",
        tag: String = "", metadata: [String: String] = [:], messageStream: String = "outbound",
        os: PostmarkUserAgentInfo = .macOS, client: PostmarkUserAgentInfo = .chrome, geo: PostmarkGeo = .sample
    ) {
        self.clickLocation = clickLocation
        self.originalLink = originalLink
        self.details = PostmarkTrackingDetails(
            messageStream: messageStream, metadata: metadata, recipient: recipient, messageID: messageID,
            receivedAt: receivedAt, platform: platform, tag: tag, userAgent: userAgent, os: os, client: client, geo: geo)
    }

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", clickLocation = "ClickLocation", originalLink = "OriginalLink"
    }

    /// Writes ``details`` and the Click's own members as one JSON object.
    public func encode(to encoder: any Encoder) throws {
        try details.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recordType, forKey: .recordType)
        try container.encode(clickLocation, forKey: .clickLocation)
        try container.encode(originalLink, forKey: .originalLink)
    }
}
