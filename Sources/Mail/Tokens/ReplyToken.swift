import Crypto
public import Foundation

/// The token in a reply address, `reply+<token>@<email_reply_domain>`, that threads an inbound
/// reply back into its discussion.
///
/// It binds the thread UUID and the recipient the email went to (a 48-bit fingerprint of the
/// normalised recipient: the lowercased email address, or a participant id) under an 80-bit
/// HMAC-SHA256 tag keyed by the server secret: unguessable, unforgeable, self-contained.
///
/// The token lives in an email local part, which some MTAs lowercase and RFC 5321 limits to 64
/// characters, so it is 52 characters of lowercase base32 (`reply+` + token = 58 characters) and
/// verification ignores case.
///
/// Wire format: 16 bytes thread UUID · 6 bytes SHA-256(recipient) prefix · first 10 bytes of
/// HMAC-SHA256(reply key, the 22 bytes before).
public struct ReplyToken: Sendable, Hashable {
    /// The length of a token in characters.
    public static let length = 52

    private static let fingerprintLength = 6
    private static let macLength = 10

    /// The discussion thread the email belonged to.
    public let threadID: UUID
    private let fingerprint: [UInt8]

    /// The token for an email of thread `threadID` sent to `recipient` (an email address — case
    /// and surrounding whitespace are ignored — or any stable participant id).
    public init(threadID: UUID, recipient: String) {
        self.threadID = threadID
        self.fingerprint = Self.fingerprint(of: recipient)
    }

    private init(threadID: UUID, fingerprint: [UInt8]) {
        self.threadID = threadID
        self.fingerprint = fingerprint
    }

    /// `true` when this token was issued for `recipient` (compared after the same normalisation).
    /// Lets the inbound handler check that a reply comes from the address the email went to.
    public func matches(recipient: String) -> Bool {
        ConstantTime.equals(self.fingerprint, Self.fingerprint(of: recipient))
    }

    /// The 52-character lowercase base32 token.
    public func signed(with key: TokenSigningKey) -> String {
        let payload = Self.uuidBytes(self.threadID) + self.fingerprint
        return Base32.encode(payload + TokenSigningKey.mac(payload, key: key.replyKey, length: Self.macLength))
    }

    /// The reply address `reply+<token>@<domain>`.
    public func replyAddress(domain: String, key: TokenSigningKey) -> String {
        "reply+\(self.signed(with: key))@\(domain)"
    }

    /// Authenticates a token (e.g. Postmark's `MailboxHash`), in any letter case; the MAC is
    /// compared in constant time.
    /// - Throws: `DeliveryError` `.invalidToken` for anything malformed, forged or altered.
    public static func verify(_ token: String, key: TokenSigningKey) throws -> ReplyToken {
        let invalid = DeliveryError(code: .invalidToken, message: "the reply token is malformed or its signature does not match")
        let trimmed = token.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count == Self.length, let bytes = Base32.decode(trimmed), bytes.count == 16 + Self.fingerprintLength + Self.macLength
        else { throw invalid }
        let payload = Array(bytes.prefix(16 + Self.fingerprintLength))
        let mac = Array(bytes.suffix(Self.macLength))
        guard ConstantTime.equals(mac, TokenSigningKey.mac(payload, key: key.replyKey, length: Self.macLength)) else { throw invalid }
        let uuid = payload.prefix(16)
        let threadID = uuid.withUnsafeBytes { raw in
            UUID(uuid: raw.loadUnaligned(as: uuid_t.self))
        }
        return ReplyToken(threadID: threadID, fingerprint: Array(payload.suffix(Self.fingerprintLength)))
    }

    /// Extracts and verifies the token from a full reply address (`reply+<token>@domain`).
    /// - Throws: `DeliveryError` `.invalidToken` when the address has no `+token` part or the
    ///   token does not verify.
    public static func verify(address: String, key: TokenSigningKey) throws -> ReplyToken {
        let localPart = address.split(separator: "@", maxSplits: 1).first.map(String.init) ?? address
        guard let plus = localPart.firstIndex(of: "+") else {
            throw DeliveryError(code: .invalidToken, message: "the address has no reply token")
        }
        return try Self.verify(String(localPart[localPart.index(after: plus)...]), key: key)
    }

    private static func fingerprint(of recipient: String) -> [UInt8] {
        let normalized = recipient.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return Array(SHA256.hash(data: Array(normalized.utf8)).prefix(Self.fingerprintLength))
    }

    private static func uuidBytes(_ uuid: UUID) -> [UInt8] {
        withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }
}
