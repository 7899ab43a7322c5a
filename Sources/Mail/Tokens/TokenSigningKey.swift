import Crypto
import Foundation

/// The server secret that signs click and reply tokens.
///
/// Each token kind signs with its own key derived from the secret (HKDF-SHA256 with a
/// purpose label), so a valid token of one kind can never be replayed as another kind.
/// The secret itself is never stored in plain form on this value, nor printed.
public struct TokenSigningKey: Sendable, CustomStringConvertible {
    /// The shortest secret accepted, in bytes (256 bits).
    public static let minimumSecretLength = 32

    // SymmetricKey is not Sendable in swift-crypto 3.x; keep the derived bytes and rebuild it.
    private let clickKeyBytes: [UInt8]
    private let replyKeyBytes: [UInt8]
    private let unsubscribeKeyBytes: [UInt8]

    var clickKey: SymmetricKey { SymmetricKey(data: self.clickKeyBytes) }
    var replyKey: SymmetricKey { SymmetricKey(data: self.replyKeyBytes) }
    var unsubscribeKey: SymmetricKey { SymmetricKey(data: self.unsubscribeKeyBytes) }

    /// Creates a key from the raw secret bytes.
    /// - Throws: `DeliveryError` `.invalidSecret` when the secret is shorter than
    ///   ``minimumSecretLength`` bytes.
    public init(secret: [UInt8]) throws {
        guard secret.count >= Self.minimumSecretLength else {
            throw DeliveryError(
                code: .invalidSecret,
                message: "the token signing secret must be at least \(Self.minimumSecretLength) bytes, got \(secret.count)"
            )
        }
        self.init(validSecret: secret)
    }

    private init(validSecret secret: [UInt8]) {
        let material = SymmetricKey(data: secret)
        self.clickKeyBytes = Self.derive(from: material, purpose: "herald/click-token/v1")
        self.replyKeyBytes = Self.derive(from: material, purpose: "herald/reply-token/v1")
        self.unsubscribeKeyBytes = Self.derive(from: material, purpose: "herald/unsubscribe-token/v1")
    }

    /// Creates a key from a secret string (its UTF-8 bytes), e.g. from `HERALD_TOKEN_SECRET`.
    /// - Throws: `DeliveryError` `.invalidSecret` when it has fewer than 32 UTF-8 bytes.
    public init(secret: String) throws {
        try self.init(secret: Array(secret.utf8))
    }

    /// A key from ``minimumSecretLength`` random bytes, for a process whose tokens need not
    /// outlive it (a sandbox without `HERALD_SECRET`, a benchmark, a command that verifies none).
    public static func random() -> TokenSigningKey {
        var generator = SystemRandomNumberGenerator()
        return TokenSigningKey(validSecret: (0..<minimumSecretLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// `TokenSigningKey(redacted)`: the key never reaches a log.
    public var description: String { "TokenSigningKey(redacted)" }

    private static func derive(from material: SymmetricKey, purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Data(purpose.utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    static func mac(_ payload: [UInt8], key: SymmetricKey, length: Int) -> [UInt8] {
        Array(Array(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(length))
    }
}

extension TokenSigningKey: CustomDebugStringConvertible, CustomReflectable {
    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the derived key bytes, so `dump(_:)` cannot print them either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
