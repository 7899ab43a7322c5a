import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Providers

/// Who is asking, as far as the console is concerned.
struct ConsoleAccess: Sendable {
    var role: ConsoleRole
    /// The session the request carried or that this answer starts (nil: Basic auth only).
    var session: ConsoleSession?
    /// A `Set-Cookie` value to send (a new session).
    var setCookie: String?
    /// The CSRF token to embed in forms ("" without a session).
    var csrf: String
    /// Who acts, for the audit log: the login's user name, or "loopback".
    var actor: String
}

/// Why a console request is refused before it reaches its page.
enum ConsoleRefusal: Error {
    case response(Response)
}

extension HeraldServer {
    static let consoleCSP =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// True when the request reached Herald over HTTPS: a trusted proxy says so in
    /// `X-Forwarded-Proto` (Herald itself speaks plain HTTP behind its load balancer).
    func consoleIsHTTPS(_ request: Request, context: HeraldRequestContext) -> Bool {
        guard let peer = context.remoteAddress?.ipAddress, configuration.trustedProxies.contains(peer) else { return false }
        let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!] ?? ""
        return proto.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } == "https"
    }

    /// The `Set-Cookie` value for `session` (nil: clear the cookie).
    func consoleCookie(_ session: ConsoleSession?, secure: Bool) -> String {
        var parts = [ConsoleSession.cookieName + "=" + (session.map(consoleCodec.encode) ?? ""), "Path=/admin", "HttpOnly", "SameSite=Strict"]
        if let session {
            parts.append("Max-Age=\(max(0, session.expires - Self.nowSeconds()))")
        } else {
            parts.append("Max-Age=0")
        }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// The session in the request's cookie, if valid.
    func consoleSession(_ request: Request) -> ConsoleSession? {
        guard let value = request.cookies[ConsoleSession.cookieName]?.value, !value.isEmpty else { return nil }
        return consoleCodec.decode(value, now: Self.nowSeconds())
    }

    /// Works out the caller's role. Without configured credentials only a loopback client that
    /// did not come through a proxy gets in (as the operator; a session cookie is still issued so
    /// that its forms carry a CSRF token). With credentials: the session cookie of a login, or
    /// Basic auth on a GET (for scripts; Basic auth never authorises a POST, which needs the
    /// session's CSRF token).
    func consoleAccess(_ request: Request, context: HeraldRequestContext) throws -> ConsoleAccess {
        let secure = consoleIsHTTPS(request, context: context)
        let session = consoleSession(request)
        guard let admin = configuration.admin else {
            let peer = context.remoteAddress?.ipAddress ?? ""
            let proxied = request.headers[HTTPField.Name("X-Forwarded-For")!] != nil || request.headers[HTTPField.Name("Forwarded")!] != nil
            guard !proxied, peer == "127.0.0.1" || peer == "::1" || peer == "::ffff:127.0.0.1" else {
                throw ConsoleRefusal.response(Self.text(.forbidden, "the console answers loopback clients only unless HERALD_ADMIN_USER/HERALD_ADMIN_PASSWORD are set"))
            }
            if let session, session.role == .operator {
                return ConsoleAccess(role: .operator, session: session, csrf: consoleCodec.csrfToken(for: session), actor: "loopback")
            }
            let fresh = ConsoleSession(role: .operator, expires: Self.nowSeconds() + ConsoleSession.lifetime)
            return ConsoleAccess(role: .operator, session: fresh, setCookie: consoleCookie(fresh, secure: secure),
                                 csrf: consoleCodec.csrfToken(for: fresh), actor: "loopback")
        }
        if let session, session.role.canLook {
            let actor = session.role == .operator ? admin.user : (configuration.adminReadOnly?.user ?? "read-only")
            return ConsoleAccess(role: session.role, session: session, csrf: consoleCodec.csrfToken(for: session), actor: actor)
        }
        if request.method == .get, let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            if Self.basicAuth(request, matches: admin) {
                return ConsoleAccess(role: .operator, session: nil, csrf: "", actor: admin.user)
            }
            if let readOnly = configuration.adminReadOnly, Self.basicAuth(request, matches: readOnly) {
                return ConsoleAccess(role: .viewer, session: nil, csrf: "", actor: readOnly.user)
            }
        }
        return ConsoleAccess(role: .anonymous, session: session, csrf: session.map(consoleCodec.csrfToken) ?? "", actor: "anonymous")
    }

    /// Access for a page: anonymous callers are sent to the login page (HTML) or get 401 (fragments).
    func consoleLook(_ request: Request, context: HeraldRequestContext, fragment: Bool = false) throws -> ConsoleAccess {
        let access = try consoleAccess(request, context: context)
        guard access.role.canLook else {
            if fragment { throw ConsoleRefusal.response(Self.text(.unauthorized, "log in again: the console session ended")) }
            var headers = HTTPFields()
            headers[.location] = "/admin/login"
            headers[.cacheControl] = "no-store"
            throw ConsoleRefusal.response(Response(status: .seeOther, headers: headers))
        }
        return access
    }

    /// Access for an action (a POST): the form must carry the session's CSRF token, and the
    /// session must be the operator's. A forged or replayed-elsewhere POST gets 403 and changes nothing.
    func consoleAct(_ request: Request, context: HeraldRequestContext, form: ConsoleForm) throws -> ConsoleAccess {
        let access = try consoleAccess(request, context: context)
        guard let session = access.session, consoleCodec.verifyCSRF(form["csrf"], for: session) else {
            throw ConsoleRefusal.response(Self.text(.forbidden, "missing or wrong CSRF token: reload the page and try again"))
        }
        guard access.role.canAct else {
            throw ConsoleRefusal.response(Self.text(.forbidden, "this login can look but not act"))
        }
        return access
    }

    /// An HTML answer with the console's security headers.
    func consoleHTML(_ status: HTTPResponse.Status = .ok, _ html: String, access: ConsoleAccess?) -> Response {
        var headers = Self.consoleHeaders()
        headers[.contentType] = "text/html; charset=utf-8"
        if let cookie = access?.setCookie { headers[.setCookie] = cookie }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 to `location` (a console path), optionally setting a cookie.
    func consoleRedirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = Self.consoleHeaders()
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    static func consoleHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = consoleCSP
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return headers
    }

    /// Runs a console handler, turning a refusal into its answer.
    func consoleHandle(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch ConsoleRefusal.response(let response) {
            return response
        }
    }

    /// The page `template` inside the layout.
    func consolePage(_ template: String, title: String, nav: String, context: [String: Any], access: ConsoleAccess, notice: ConsoleNotice? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var page = context
        page["csrf"] = access.csrf
        page["canAct"] = access.role.canAct
        let body = consoleRenderer.render(template, page)
        var layout: [String: Any] = [
            "title": title, "body": body, "csrf": access.csrf, "loggedIn": access.role.canLook,
            "canLogOut": access.session != nil && configuration.admin != nil && access.role.canLook,
            "roleLabel": access.role == .viewer ? "\(access.actor) · read-only" : (access.role == .operator ? access.actor : ""),
            "navOverview": nav == "overview" ? "current" : "", "navJobs": nav == "jobs" ? "current" : "",
            "navPeople": nav == "people" ? "current" : "", "navDiscussions": nav == "discussions" ? "current" : "",
        ]
        if let notice {
            layout["notice"] = notice.text
            layout["noticeKind"] = notice.good ? "good" : "bad"
        }
        return consoleHTML(status, consoleRenderer.render("layout", layout), access: access)
    }
}

/// A message shown at the top of a page after an action (chosen from fixed texts by code, so a
/// link cannot make the console display words of an attacker's choosing).
struct ConsoleNotice: Sendable {
    var text: String
    var good: Bool

    static func from(code: String?, count: String?) -> ConsoleNotice? {
        let number = count.flatMap(Int.init).map(String.init) ?? "?"
        switch code {
        case "retried": return .init(text: "The job was re-queued.", good: true)
        case "not-retried": return .init(text: "Nothing was re-queued: the job is not failed, cancelled, retryable or scheduled any more.", good: false)
        case "unique-conflict": return .init(text: "Not re-queued: another live job holds the same unique key.", good: false)
        case "cancelled": return .init(text: "The job was cancelled.", good: true)
        case "not-cancelled": return .init(text: "Nothing was cancelled: the job has already finished.", good: false)
        case "bulk-retried": return .init(text: "\(number) failed job(s) were re-queued.", good: true)
        case "unsuppressed": return .init(text: "The suppression was removed; the reason is recorded.", good: true)
        case "not-suppressed": return .init(text: "The address was not suppressed (any more).", good: false)
        case "released": return .init(text: "The reply was released into its thread.", good: true)
        case "not-released": return .init(text: "The reply cannot be released: only replies kept for sender_mismatch or spam, with a thread, can.", good: false)
        case "discarded": return .init(text: "The reply was discarded.", good: true)
        case "not-discarded": return .init(text: "Nothing was discarded: the reply is threaded or already discarded.", good: false)
        default: return nil
        }
    }
}

/// A decoded form body or query string. Repeated names keep the last value.
struct ConsoleForm: Sendable {
    private var values: [String: String] = [:]

    init(_ text: String) throws {
        guard text.utf8.count <= 64 * 1024, let pairs = FormURLEncoding.decode(text) else {
            throw ConsoleRefusal.response(HeraldServer.text(.badRequest, "malformed form or query string"))
        }
        for (name, value) in pairs { values[name] = value }
    }

    /// The trimmed value, nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    static func query(_ request: Request) throws -> ConsoleForm {
        try ConsoleForm(request.uri.query ?? "")
    }
}
