public import Foundation
public import Mail

/// Process-wide settings of the discussion email side, from the environment.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `HERALD_SECRET` | key of click and reply tokens, at least 32 bytes | required, except in sandbox/demo mode (a random one per process) |
/// | `HERALD_PUBLIC_URL` | public base URL of `herald serve` (pixel and click links) | `http://127.0.0.1:8080` |
/// | `HERALD_MESSAGE_ID_DOMAIN` | domain part of generated Message-IDs | `herald.localhost` |
/// | `HERALD_FROM_EMAIL` | sender of tenants without `from_email` | `herald@herald.localhost` |
public struct DiscussionSettings: Sendable {
    /// The token signing key.
    public var signingKey: TokenSigningKey
    /// The public base URL, without trailing slash.
    public var publicURL: String
    /// The Message-ID domain.
    public var messageIDDomain: String
    /// The default sender.
    public var defaultFrom: String

    /// Settings from explicit values.
    public init(signingKey: TokenSigningKey, publicURL: String = "http://127.0.0.1:8080",
                messageIDDomain: String = "herald.localhost", defaultFrom: String = "herald@herald.localhost") {
        self.signingKey = signingKey
        self.publicURL = publicURL
        self.messageIDDomain = messageIDDomain
        self.defaultFrom = defaultFrom
    }

    /// Reads the table above. In sandbox mode a missing `HERALD_SECRET` gets a random key.
    /// - Throws: `DeliveryError` `.invalidConfiguration` with a message naming the variable (never its value).
    public static func fromEnvironment(_ environment: [String: String], sandbox: Bool) throws -> DiscussionSettings {
        let secret = environment["HERALD_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        let key: TokenSigningKey
        if let secret {
            do {
                key = try TokenSigningKey(secret: secret)
            } catch {
                throw DeliveryError(code: .invalidConfiguration,
                                    message: "HERALD_SECRET must be at least \(TokenSigningKey.minimumSecretLength) bytes (e.g. `openssl rand -hex 32`)")
            }
        } else if sandbox {
            var generator = SystemRandomNumberGenerator()
            key = try TokenSigningKey(secret: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        } else {
            throw DeliveryError(code: .invalidConfiguration,
                                message: "HERALD_SECRET is not set: set it to at least \(TokenSigningKey.minimumSecretLength) random bytes (e.g. `openssl rand -hex 32`), or run with --sandbox")
        }
        var settings = DiscussionSettings(signingKey: key)
        if let url = environment["HERALD_PUBLIC_URL"], !url.isEmpty { settings.publicURL = url }
        while settings.publicURL.hasSuffix("/") { settings.publicURL.removeLast() }
        if let domain = environment["HERALD_MESSAGE_ID_DOMAIN"], !domain.isEmpty { settings.messageIDDomain = domain }
        if let from = environment["HERALD_FROM_EMAIL"], !from.isEmpty { settings.defaultFrom = from }
        return settings
    }

    /// The composer for discussion emails: one Message-ID per message (shared by every recipient).
    public func composer() throws -> EmailComposer {
        try EmailComposer(
            configuration: .init(publicURL: publicURL, messageIDDomain: messageIDDomain, messageIDPerRecipient: false),
            signingKey: signingKey)
    }
}

extension DiscussionSettings: CustomStringConvertible, CustomReflectable {
    /// The settings with the signing key redacted and any password in ``publicURL`` shown as `***`.
    public var description: String {
        "DiscussionSettings(signingKey: \(signingKey), publicURL: \(Redaction.url(publicURL)), "
            + "messageIDDomain: \(messageIDDomain), defaultFrom: \(defaultFrom))"
    }

    /// A mirror with the same redactions, so `dump(_:)` cannot print a secret either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "signingKey": signingKey, "publicURL": Redaction.url(publicURL), "messageIDDomain": messageIDDomain,
                "defaultFrom": defaultFrom,
            ],
            displayStyle: .struct)
    }
}
