public import Foundation

/// The signed token of a digest's one-click unsubscribe URL (`{publicURL}/u/{token}`, RFC 8058).
///
/// It names the user whose digest it stops, under a 128-bit HMAC-SHA256 tag keyed by the server
/// secret (a key of its own, derived for this purpose), so nobody can unsubscribe someone else.
/// Wire format, base64url without padding: 1 byte version · 16 bytes user UUID · 16 bytes MAC.
public struct UnsubscribeToken: Sendable, Hashable {
    private static let version: UInt8 = 1
    private static let macLength = 16

    /// The user whose digest emails the token stops.
    public let userID: UUID

    /// The token for `userID`.
    public init(userID: UUID) {
        self.userID = userID
    }

    /// The token text (43 + 1 characters of base64url).
    public func encoded(key: TokenSigningKey) -> String {
        let payload = [Self.version] + withUnsafeBytes(of: userID.uuid) { Array($0) }
        return Base64URL.encode(payload + TokenSigningKey.mac(payload, key: key.unsubscribeKey, length: Self.macLength))
    }

    /// The one-click URL: `{publicURL}/u/{token}`.
    public func url(publicURL: String, key: TokenSigningKey) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/u/" + encoded(key: key)
    }

    /// Reads a token Herald issued.
    /// - Throws: `DeliveryError` `.invalidToken` for anything malformed, forged or altered.
    public static func verify(_ token: String, key: TokenSigningKey) throws -> UnsubscribeToken {
        let invalid = DeliveryError(code: .invalidToken, message: "the unsubscribe token is malformed or its signature does not match")
        guard token.utf8.count <= 64, let bytes = Base64URL.decode(token), bytes.count == 1 + 16 + macLength else { throw invalid }
        let payload = Array(bytes.prefix(17))
        guard ConstantTime.equals(Array(bytes.suffix(macLength)), TokenSigningKey.mac(payload, key: key.unsubscribeKey, length: macLength)),
            payload[0] == version
        else { throw invalid }
        let u = Array(payload[1...])
        return UnsubscribeToken(userID: UUID(uuid: (u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15])))
    }
}
