import Crypto
public import Foundation

/// An RFC 5322 `Message-ID` value, `<id@domain>`, as stored in
/// `communication_messages.email_message_id`.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    /// The namespace of Herald's name-based UUIDs: UUIDv5(DNS namespace, "herald.nexusrms").
    public static let namespace = UUID(uuid: (0xbd, 0xf6, 0x96, 0xdf, 0x0c, 0xcb, 0x52, 0xc1, 0x9d, 0xc5, 0xdd, 0xc3, 0x18, 0xc8, 0xb1, 0xd5))

    /// The full value with angle brackets, e.g. `<b8609fc4-…@mail.example.com>`.
    public let value: String

    /// The Message-ID of `messageID` sent to `recipientEmail`: `<UUIDv5@domain>`, where the UUID is
    /// the RFC 4122 version-5 UUID of `"<message uuid, lowercase>|<recipient, trimmed and
    /// lowercased>"` in ``namespace``.
    ///
    /// Deterministic, so a retried send carries the same Message-ID and mail clients show one entry
    /// (the main application can compute it too: `uuid5(namespace, name)`); distinct per recipient,
    /// because each recipient's copy is a different message.
    /// - Throws: `DeliveryError` `.invalidConfiguration` when `domain` is not a valid domain.
    public static func generate(messageID: UUID, recipientEmail: String, domain: String) throws -> MessageID {
        guard EmailAddress.isValidDomain(domain) else {
            throw DeliveryError(code: .invalidConfiguration, message: "'\(HeaderSanitizer.sanitize(domain))' is not a valid Message-ID domain")
        }
        let name = "\(messageID.uuidString.lowercased())|\(recipientEmail.trimmingWhitespace().lowercased())"
        let uuid = Self.uuidV5(namespace: Self.namespace, name: name)
        return MessageID(uncheckedValue: "<\(uuid.uuidString.lowercased())@\(domain.lowercased())>")
    }

    /// Parses a stored or received Message-ID, with or without angle brackets; surrounding
    /// whitespace is ignored. `nil` when it is empty or contains whitespace, control characters,
    /// or brackets inside.
    public init?(parsing raw: String) {
        var core = raw.trimmingWhitespace()
        if core.hasPrefix("<") && core.hasSuffix(">") && core.count >= 2 {
            core = String(core.dropFirst().dropLast())
        }
        guard !core.isEmpty, core.utf8.count <= 900,
            !core.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" || $0.properties.isWhitespace })
        else { return nil }
        self.value = "<\(core)>"
    }

    private init(uncheckedValue: String) {
        self.value = uncheckedValue
    }

    public var description: String { self.value }

    /// RFC 4122 §4.3 name-based UUID with SHA-1 (version 5).
    static func uuidV5(namespace: UUID, name: String) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(name.utf8))
        var digest = Array(hasher.finalize().prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        return digest.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }
}
