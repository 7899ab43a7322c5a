import Curl
import Foundation
import HTTPTypes
import Hummingbird
import Mail

/// Who may use the console, and how a session travels: the configured logins, the signed
/// session cookie (``ConsoleSessionCodec``), and whose `X-Forwarded-Proto` counts. Pure: it reads
/// the request and the clock, nothing else.
///
/// The console keeps its own stateless cookie rather than HummingbirdAuth's `SessionMiddleware`,
/// which stores sessions server-side under a random id: the signed cookie lets any number of
/// `herald serve` processes sharing `HERALD_SECRET` accept a session, survives restarts, and ends
/// every session a changed password opened (docs/console.md).
struct ConsoleGate: Sendable {
    let codec: ConsoleSessionCodec
    let admin: BasicAuth?
    let readOnly: BasicAuth?
    let trustedProxies: TrustedProxies

    init(configuration: ServerConfiguration) {
        self.codec = ConsoleSessionCodec(signingKey: configuration.signingKey, admin: configuration.admin, readOnly: configuration.adminReadOnly)
        self.admin = configuration.admin
        self.readOnly = configuration.adminReadOnly
        self.trustedProxies = configuration.trustedProxies
    }

    /// Works out the caller's role. Without configured credentials only a loopback client that
    /// did not come through a proxy gets in (as the operator; a session cookie is still issued so
    /// that its forms carry a CSRF token); anyone else is refused (403). With credentials: the
    /// session cookie of a login, or Basic auth on a GET (for scripts; Basic auth never
    /// authorises a POST, which needs the session's CSRF token); else the anonymous role.
    func access(_ request: Request, peer: String?) throws -> ConsoleAccess {
        let secure = isHTTPS(request, peer: peer)
        let session = self.session(request)
        guard let admin else {
            let proxied = request.headers[HTTPField.Name("X-Forwarded-For")!] != nil || request.headers[HTTPField.Name("Forwarded")!] != nil
            guard !proxied, let peer, peer == "127.0.0.1" || peer == "::1" || peer == "::ffff:127.0.0.1" else {
                throw Refusal(HeraldServer.text(.forbidden, "the console answers loopback clients only unless HERALD_ADMIN_USER/HERALD_ADMIN_PASSWORD are set"))
            }
            if let session, session.role == .operator {
                return ConsoleAccess(role: .operator, session: session, csrf: codec.csrfToken(for: session), actor: "loopback")
            }
            let fresh = ConsoleSession(role: .operator, expires: Self.nowSeconds() + ConsoleSession.lifetime)
            return ConsoleAccess(role: .operator, session: fresh, setCookie: cookie(fresh, secure: secure),
                                 csrf: codec.csrfToken(for: fresh), actor: "loopback")
        }
        if let session, session.role.canLook {
            let actor = session.role == .operator ? admin.username : (readOnly?.username ?? "read-only")
            return ConsoleAccess(role: session.role, session: session, csrf: codec.csrfToken(for: session), actor: actor)
        }
        if request.method == .get, BasicCredentials.offered(request) {
            if BasicCredentials.match(request, admin) {
                return ConsoleAccess(role: .operator, session: nil, csrf: "", actor: admin.username)
            }
            if let readOnly, BasicCredentials.match(request, readOnly) {
                return ConsoleAccess(role: .viewer, session: nil, csrf: "", actor: readOnly.username)
            }
        }
        return ConsoleAccess(role: .anonymous, session: session, csrf: session.map(codec.csrfToken) ?? "", actor: "anonymous")
    }

    /// True when the request reached Herald over HTTPS: a trusted proxy says so in
    /// `X-Forwarded-Proto` (Herald itself speaks plain HTTP behind its load balancer).
    func isHTTPS(_ request: Request, peer: String?) -> Bool {
        guard let peer, trustedProxies.contains(peer) else { return false }
        let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!] ?? ""
        return proto.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } == "https"
    }

    /// The `Set-Cookie` value for `session` (nil: clear the cookie): `HttpOnly`, `SameSite=Strict`,
    /// `Path=/admin`, `Secure` over HTTPS.
    func cookie(_ session: ConsoleSession?, secure: Bool) -> String {
        var parts = [ConsoleSession.cookieName + "=" + (session.map(codec.encode) ?? ""), "Path=/admin", "HttpOnly", "SameSite=Strict"]
        if let session {
            parts.append("Max-Age=\(max(0, session.expires - Self.nowSeconds()))")
        } else {
            parts.append("Max-Age=0")
        }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// The session in the request's cookie, if valid.
    func session(_ request: Request) -> ConsoleSession? {
        guard let value = request.cookies[ConsoleSession.cookieName]?.value, !value.isEmpty else { return nil }
        return codec.decode(value, now: Self.nowSeconds())
    }

    /// True when `form` carries `session`'s CSRF token.
    func verifyCSRF(_ form: ConsoleForm, for session: ConsoleSession?) -> Bool {
        guard let session else { return false }
        return codec.verifyCSRF(form["csrf"], for: session)
    }

    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
