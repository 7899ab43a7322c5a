import Foundation
public import Mail
public import Notifications
public import Providers

/// Process-wide settings of the discussion email side. The executable builds them from its
/// configuration (`HERALD_SECRET`, `HERALD_PUBLIC_URL`, `HERALD_MESSAGE_ID_DOMAIN`, `HERALD_FROM_EMAIL`).
public struct DiscussionSettings: Sendable {
    /// The token signing key.
    public var signingKey: TokenSigningKey
    /// The public base URL of `herald serve` (pixel and click links), without trailing slash.
    /// Default `http://127.0.0.1:8080`.
    public var publicURL: String
    /// The domain part of generated Message-IDs. Default `herald.localhost`.
    public var messageIDDomain: String
    /// The sender of tenants without `from_email`. Default
    /// `NotificationDeliveryConfiguration.standardFromEmail`, the same as notifications'.
    public var defaultFrom: String

    /// Settings from explicit values; each default is the one documented on its property.
    public init(signingKey: TokenSigningKey, publicURL: String = "http://127.0.0.1:8080",
                messageIDDomain: String = "herald.localhost", defaultFrom: String = NotificationDeliveryConfiguration.standardFromEmail) {
        self.signingKey = signingKey
        var publicURL = publicURL
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
        self.publicURL = publicURL
        self.messageIDDomain = messageIDDomain
        self.defaultFrom = defaultFrom
    }

    /// The composer for discussion emails: one Message-ID per message (shared by every recipient).
    public func composer() throws -> EmailComposer {
        try EmailComposer(
            configuration: .init(publicURL: publicURL, messageIDDomain: messageIDDomain, messageIDPerRecipient: false),
            signingKey: signingKey)
    }
}

extension DiscussionSettings: RedactedDescription {
    /// The settings with the signing key redacted and any password in ``publicURL`` shown as `***`.
    public var redactedMembers: KeyValuePairs<String, Any> {
        ["signingKey": signingKey, "publicURL": Redaction.url(publicURL), "messageIDDomain": messageIDDomain, "defaultFrom": defaultFrom]
    }
}
