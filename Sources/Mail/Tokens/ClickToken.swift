import Crypto
import Foundation

/// The signed token in a tracked link, `{publicURL}/c/{token}`.
///
/// **Design: the URL travels inside the token.** The token binds (tracking pixel id, link index,
/// URL) under an HMAC-SHA256 tag keyed by the server secret, so the click endpoint learns from the
/// token alone which tracking row to update and where to redirect, without a table of links — and
/// it can only ever redirect to a URL that Herald signed, i.e. put in an email (no open redirect).
/// Any change to any byte makes ``verify(_:key:)`` fail.
///
/// Wire format (then unpadded base64url): `0x01` version · 16 bytes pixel id · link index
/// (UInt16 big-endian) · URL (UTF-8) · first 16 bytes of HMAC-SHA256(click key, everything before).
public struct ClickToken: Sendable, Hashable {
    /// The longest URL Herald tracks, in UTF-8 bytes; longer links are left untracked.
    public static let maximumURLLength = 4_096
    /// The largest link index a token can carry.
    public static let maximumLinkIndex = Int(UInt16.max)

    private static let version: UInt8 = 1
    private static let macLength = 16
    private static let headerLength = 1 + 16 + 2

    /// The pixel id of the email (and so of its `discussion_email_tracking` row).
    public let trackingPixelID: TrackingPixelID
    /// The position of the link in the email (0-based, in order of first appearance).
    public let linkIndex: Int
    /// The http(s) URL the link pointed to before rewriting.
    public let url: String

    /// Creates a token value.
    /// - Throws: `DeliveryError` `.invalidLink` when `url` is not an absolute http(s) URL, contains
    ///   whitespace or control characters, or is longer than ``maximumURLLength``; or when
    ///   `linkIndex` is outside `0...maximumLinkIndex`.
    public init(trackingPixelID: TrackingPixelID, linkIndex: Int, url: String) throws {
        guard (0...Self.maximumLinkIndex).contains(linkIndex) else {
            throw DeliveryError(code: .invalidLink, message: "link index \(linkIndex) is outside 0...\(Self.maximumLinkIndex)")
        }
        try Self.validate(url: url)
        self.trackingPixelID = trackingPixelID
        self.linkIndex = linkIndex
        self.url = url
    }

    /// `true` when Herald can track and later redirect to `url`.
    public static func isTrackable(_ url: String) -> Bool {
        (try? Self.validate(url: url)) != nil
    }

    /// The token: URL-safe (base64url), tamper-evident.
    public func signed(with key: TokenSigningKey) -> String {
        var payload: [UInt8] = [Self.version]
        payload += Self.pixelBytes(self.trackingPixelID)
        payload += [UInt8(self.linkIndex >> 8), UInt8(self.linkIndex & 0xFF)]
        payload += Array(self.url.utf8)
        return Base64URL.encode(payload + TokenSigningKey.mac(payload, key: key.clickKey, length: Self.macLength))
    }

    /// Decodes and authenticates a token (the MAC is compared in constant time).
    /// - Throws: `DeliveryError` `.invalidToken` for anything malformed, forged or altered.
    public static func verify(_ token: String, key: TokenSigningKey) throws -> ClickToken {
        let invalid = DeliveryError(code: .invalidToken, message: "the click token is malformed or its signature does not match")
        // base64url of the largest valid token; refuse bigger input before decoding it.
        let maximumTokenLength = (Self.headerLength + Self.maximumURLLength + Self.macLength) * 4 / 3 + 4
        guard token.utf8.count <= maximumTokenLength, let bytes = Base64URL.decode(token),
            bytes.count > Self.headerLength + Self.macLength
        else { throw invalid }
        let payload = Array(bytes.dropLast(Self.macLength))
        let mac = Array(bytes.suffix(Self.macLength))
        guard ConstantTime.equals(mac, TokenSigningKey.mac(payload, key: key.clickKey, length: Self.macLength)) else { throw invalid }
        guard payload[0] == Self.version else { throw invalid }

        let hex = payload[1..<17].map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
        guard let pixelID = TrackingPixelID(rawValue: hex), let url = String(validating: payload[19...], as: UTF8.self) else {
            throw invalid
        }
        let linkIndex = Int(payload[17]) << 8 | Int(payload[18])
        do {
            return try ClickToken(trackingPixelID: pixelID, linkIndex: linkIndex, url: url)
        } catch {
            throw invalid
        }
    }

    private static func pixelBytes(_ id: TrackingPixelID) -> [UInt8] {
        let hex = Array(id.rawValue.utf8)
        func nibble(_ character: UInt8) -> UInt8 {
            character <= UInt8(ascii: "9") ? character - UInt8(ascii: "0") : character - UInt8(ascii: "a") + 10
        }
        return stride(from: 0, to: hex.count, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
    }

    private static func validate(url: String) throws {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else {
            throw DeliveryError(code: .invalidLink, message: "only absolute http(s) links are tracked")
        }
        guard url.utf8.count <= Self.maximumURLLength else {
            throw DeliveryError(code: .invalidLink, message: "the link is longer than \(Self.maximumURLLength) bytes")
        }
        guard !url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else {
            throw DeliveryError(code: .invalidLink, message: "the link contains whitespace or control characters")
        }
        let afterScheme = lowered.drop(while: { $0 != ":" }).dropFirst(3)
        guard let hostStart = afterScheme.first, hostStart != "/" else {
            throw DeliveryError(code: .invalidLink, message: "the link has no host")
        }
    }
}
