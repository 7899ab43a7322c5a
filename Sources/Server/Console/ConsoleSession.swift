import Crypto
public import Curl
public import Mail

import Foundation

/// What a console visitor may do.
public enum ConsoleRole: String, Sendable, Hashable {
    /// Not logged in: only the login page (its form still carries a CSRF token).
    case anonymous
    /// `HERALD_ADMIN_READONLY_*`: sees every page, acts on nothing.
    case viewer
    /// `HERALD_ADMIN_*`, or a loopback client when no credentials are configured: sees and acts.
    case `operator`

    /// True when the role may see the console's pages.
    var canLook: Bool { self != .anonymous }
    /// True when the role may retry, cancel, release, discard or remove a suppression.
    var canAct: Bool { self == .operator }
}

/// One console session, carried entirely by its cookie (no server-side state, so any number of
/// `herald serve` processes sharing `HERALD_SECRET` accept it, and a restart logs nobody out).
///
/// Cookie value: `v1.<role>.<expires unix seconds>.<nonce>.<mac>`, where the MAC is
/// HMAC-SHA256 over the first four fields and a fingerprint of the credentials that granted the
/// role. Changing a password therefore ends every session it opened. The CSRF token of a session
/// is another MAC of its nonce, so a page can embed it and a forged POST (which cannot read the
/// page nor the `HttpOnly` cookie) cannot produce it. Pure.
public struct ConsoleSession: Sendable, Hashable {
    public var role: ConsoleRole
    /// Unix seconds after which the cookie is refused.
    public var expires: Int64
    /// 16 random bytes, hex.
    public var nonce: String

    /// How long a login lasts.
    public static let lifetime: Int64 = 12 * 3600
    /// The cookie's name.
    public static let cookieName = "herald_console"

    public init(role: ConsoleRole, expires: Int64, nonce: String = ConsoleSession.randomNonce()) {
        self.role = role
        self.expires = expires
        self.nonce = nonce
    }

    /// 16 random bytes as 32 hex digits.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// Signs and verifies ``ConsoleSession`` cookies and their CSRF tokens. Pure.
public struct ConsoleSessionCodec: Sendable {
    private let keyBytes: [UInt8]
    /// Fingerprint of the credentials behind each role (empty string: the role cannot be granted).
    private let fingerprints: [ConsoleRole: String]

    /// A codec signing with a key derived from `signingKey`. `admin` and `readOnly` are the
    /// configured logins; with no `admin`, the operator role is the loopback client's.
    public init(signingKey: TokenSigningKey, admin: BasicAuth?, readOnly: BasicAuth?) {
        self.keyBytes = signingKey.subkey(purpose: "console-session").withUnsafeBytes { Array($0) }
        var fingerprints: [ConsoleRole: String] = [.anonymous: "anonymous"]
        fingerprints[.operator] = admin.map(Self.fingerprint) ?? "loopback"
        if let readOnly { fingerprints[.viewer] = Self.fingerprint(readOnly) }
        self.fingerprints = fingerprints
    }

    private static func fingerprint(_ credentials: BasicAuth) -> String {
        SHA256.hash(data: Array((credentials.username + "\u{0}" + credentials.password).utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    private func mac(_ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: keyBytes)))
    }

    /// The cookie value of `session`.
    public func encode(_ session: ConsoleSession) -> String {
        let payload = "v1.\(session.role.rawValue).\(session.expires).\(session.nonce)"
        return payload + "." + ConsoleBase64URL.encode(mac(payload + "|" + (fingerprints[session.role] ?? "")))
    }

    /// The session in `cookie`, or nil when it is malformed, forged, expired at `now`, or signed
    /// for credentials that changed since.
    public func decode(_ cookie: String, now: Int64) -> ConsoleSession? {
        guard cookie.utf8.count <= 256 else { return nil }
        let fields = cookie.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5, fields[0] == "v1", let role = ConsoleRole(rawValue: fields[1]),
              let fingerprint = fingerprints[role], let expires = Int64(fields[2]), expires > now,
              fields[3].count == 32, fields[3].allSatisfy(\.isHexDigit),
              let given = ConsoleBase64URL.decode(fields[4])
        else { return nil }
        let payload = fields[0...3].joined(separator: ".")
        guard ConstantTime.equals(given, mac(payload + "|" + fingerprint)) else { return nil }
        return ConsoleSession(role: role, expires: expires, nonce: fields[3])
    }

    /// The CSRF token every form of `session` carries.
    public func csrfToken(for session: ConsoleSession) -> String {
        ConsoleBase64URL.encode(Array(mac("csrf|" + session.nonce).prefix(24)))
    }

    /// True when `token` is `session`'s CSRF token (constant time).
    public func verifyCSRF(_ token: String?, for session: ConsoleSession) -> Bool {
        guard let token else { return false }
        return ConstantTime.equals(Array(token.utf8), Array(csrfToken(for: session).utf8))
    }

    /// The role `user`/`password` log in as, or nil. Compares digests in constant time, so neither
    /// the contents nor the lengths of the configured values show in the response time.
    public static func role(user: String, password: String, admin: BasicAuth?, readOnly: BasicAuth?) -> ConsoleRole? {
        func matches(_ credentials: BasicAuth?) -> Bool {
            guard let credentials else { return false }
            let userOK = ConstantTime.equals(Array(SHA256.hash(data: Array(user.utf8))), Array(SHA256.hash(data: Array(credentials.username.utf8))))
            let passwordOK = ConstantTime.equals(Array(SHA256.hash(data: Array(password.utf8))), Array(SHA256.hash(data: Array(credentials.password.utf8))))
            return userOK && passwordOK
        }
        if matches(admin) { return .operator }
        if matches(readOnly) { return .viewer }
        return nil
    }
}

/// Base64url without padding (RFC 4648 §5), for cookie-safe MACs.
enum ConsoleBase64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
