import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import NIOCore
import Postgres

extension HeraldServer {
    /// The operator console under `/admin` (docs/console.md). Every route is bounded by the
    /// request timeout; every POST checks the session's CSRF token and the operator role.
    func addConsoleRoutes(to router: Router<HeraldRequestContext>) {
        func page(_ path: RouterPath, _ handler: @escaping @Sendable (Request, HeraldRequestContext) async throws -> Response) {
            router.get(path) { [self] request, context in
                try await limited { try await self.consoleHandle { try await handler(request, context) } }
            }
        }
        func action(_ path: RouterPath, _ handler: @escaping @Sendable (Request, HeraldRequestContext, ConsoleForm) async throws -> Response) {
            router.post(path) { [self] request, context in
                try await limited {
                    try await self.consoleHandle {
                        let form = try ConsoleForm(String(decoding: try await self.body(of: request), as: UTF8.self))
                        return try await handler(request, context, form)
                    }
                }
            }
        }
        router.get("/admin/static/console.css") { _, _ in Self.consoleAsset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("/admin/static/console.js") { _, _ in Self.consoleAsset(ConsoleAssets.javascript, type: "text/javascript; charset=utf-8") }
        page("/admin/login") { [self] request, context in try self.consoleLoginPage(request, context: context) }
        action("/admin/login") { [self] request, context, form in try await self.consoleLogin(request, context: context, form: form) }
        action("/admin/logout") { [self] request, context, form in try self.consoleLogout(request, context: context, form: form) }

        page("/admin") { [self] request, context in try await self.consoleOverview(request, context: context) }
        page("/admin/overview/fragment") { [self] request, context in try await self.consoleOverviewFragment(request, context: context) }
        page("/admin/jobs") { [self] request, context in try await self.consoleJobs(request, context: context) }
        page("/admin/jobs/retry-failed") { [self] request, context in try await self.consoleRetryFailedConfirmation(request, context: context) }
        action("/admin/jobs/retry-failed") { [self] request, context, form in try await self.consoleRetryFailed(request, context: context, form: form) }
        page("/admin/jobs/{id}") { [self] request, context in try await self.consoleJob(request, context: context, fragment: false) }
        page("/admin/jobs/{id}/fragment") { [self] request, context in try await self.consoleJob(request, context: context, fragment: true) }
        action("/admin/jobs/{id}/retry") { [self] request, context, form in try await self.consoleJobAction(request, context: context, form: form, retry: true) }
        action("/admin/jobs/{id}/cancel") { [self] request, context, form in try await self.consoleJobAction(request, context: context, form: form, retry: false) }
        page("/admin/people") { [self] request, context in try await self.consolePeople(request, context: context) }
        action("/admin/people/unsuppress") { [self] request, context, form in try await self.consoleUnsuppress(request, context: context, form: form) }
        page("/admin/discussions") { [self] request, context in try await self.consoleDiscussions(request, context: context) }
        page("/admin/discussions/{id}") { [self] request, context in try await self.consoleThread(request, context: context) }
        action("/admin/inbound/{id}/release") { [self] request, context, form in try await self.consoleInboundAction(request, context: context, form: form, release: true) }
        action("/admin/inbound/{id}/discard") { [self] request, context, form in try await self.consoleInboundAction(request, context: context, form: form, release: false) }
    }

    static func consoleAsset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=300"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `GET /admin/login`: the form, with a CSRF token bound to a pre-login session cookie.
    func consoleLoginPage(_ request: Request, context: HeraldRequestContext) throws -> Response {
        var access = try consoleAccess(request, context: context)
        if access.role.canLook || configuration.admin == nil { return consoleRedirect("/admin", cookie: access.setCookie) }
        if access.session == nil {
            let session = ConsoleSession(role: .anonymous, expires: Self.nowSeconds() + 3600)
            access.session = session
            access.csrf = consoleCodec.csrfToken(for: session)
            access.setCookie = consoleCookie(session, secure: consoleIsHTTPS(request, context: context))
        }
        return consolePage("login", title: "Log in", nav: "", context: [:], access: access)
    }

    /// `POST /admin/login`: a new session (new nonce, so a planted cookie is worth nothing) for
    /// the role the credentials grant.
    func consoleLogin(_ request: Request, context: HeraldRequestContext, form: ConsoleForm) async throws -> Response {
        var access = try consoleAccess(request, context: context)
        guard configuration.admin != nil else { return consoleRedirect("/admin", cookie: access.setCookie) }
        guard let session = access.session, consoleCodec.verifyCSRF(form["csrf"], for: session) else {
            return Self.text(.forbidden, "missing or wrong CSRF token: reload the login page and try again")
        }
        let secure = consoleIsHTTPS(request, context: context)
        guard let role = ConsoleSessionCodec.role(user: form["user"] ?? "", password: form["password"] ?? "",
                                                  admin: configuration.admin, readOnly: configuration.adminReadOnly)
        else {
            logger.notice("console login refused")
            // A small fixed delay makes guessing slower without holding a thread.
            try await Task.sleep(for: .milliseconds(300))
            access.role = .anonymous
            return consolePage("login", title: "Log in", nav: "", context: ["failed": true], access: access, status: .unauthorized)
        }
        logger.info("console login", metadata: ["console.role": "\(role.rawValue)"])
        let fresh = ConsoleSession(role: role, expires: Self.nowSeconds() + ConsoleSession.lifetime)
        return consoleRedirect("/admin", cookie: consoleCookie(fresh, secure: secure))
    }

    /// `POST /admin/logout`: clears the cookie.
    func consoleLogout(_ request: Request, context: HeraldRequestContext, form: ConsoleForm) throws -> Response {
        let access = try consoleAccess(request, context: context)
        guard let session = access.session, consoleCodec.verifyCSRF(form["csrf"], for: session) else {
            return Self.text(.forbidden, "missing or wrong CSRF token: reload the page and try again")
        }
        return consoleRedirect("/admin/login", cookie: consoleCookie(nil, secure: consoleIsHTTPS(request, context: context)))
    }

    /// Records an operator's action in `herald_console_actions`.
    func consoleAudit(_ access: ConsoleAccess, action: String, target: String, detail: String) async throws {
        try await pool.query(
            "INSERT INTO herald_console_actions (actor, action, target, detail) VALUES ($1, $2, $3, $4)",
            [access.actor, action, target, String(detail.prefix(2000))])
        // The target may be an address: it stays in the table, out of the logs.
        logger.notice("console action", metadata: ["console.action": "\(action)"])
    }

    /// The numeric `{id}` path parameter, or a 404.
    static func consoleJobID(_ context: HeraldRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw ConsoleRefusal.response(text(.notFound, "no such job"))
        }
        return id
    }

    /// The UUID `{id}` path parameter, or a 404.
    static func consoleUUID(_ context: HeraldRequestContext, what: String) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw ConsoleRefusal.response(text(.notFound, "no such \(what)"))
        }
        return id
    }
}
