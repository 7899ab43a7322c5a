import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HeraldServer {
    /// The operator console under `/admin` (docs/console.md), one route group: refusals, the
    /// request timeout and ``ConsoleAuthenticator`` for every route; then pages and fragments
    /// behind ``ConsolePageGuard``, actions behind ``ConsoleFormReader`` and ``ConsoleActionGuard``
    /// (CSRF token and operator role). The stylesheet and script need no login.
    func addConsoleRoutes(to router: Router<HeraldRequestContext>) {
        router.get("/admin/static/console.css") { _, _ in Self.consoleAsset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("/admin/static/console.js") { _, _ in Self.consoleAsset(ConsoleAssets.javascript, type: "text/javascript; charset=utf-8") }

        let console = router.group("/admin", context: ConsoleRequestContext.self)
            .add(middleware: RefusalMiddleware())
            .add(middleware: RequestTimeoutMiddleware(timeout: configuration.requestTimeout))
            .add(middleware: ConsoleAuthenticator(gate: consoleGate))
        let forms = ConsoleFormReader(maximumBodySize: configuration.maximumBodySize)

        // The login checks its form's CSRF token itself: without configured logins it only redirects.
        console.get("login") { [self] request, context in try self.consoleLoginPage(request, context: context) }
        console.group().add(middleware: forms)
            .post("login") { [self] request, context in try await self.consoleLogin(request, context: context) }
        console.group().add(middleware: forms).add(middleware: ConsoleActionGuard(gate: consoleGate, operatorOnly: false))
            .post("logout") { [self] request, context in try self.consoleLogout(request, context: context) }

        let pages = console.group().add(middleware: ConsolePageGuard(fragments: false))
        pages.get { [self] request, context in try await self.consoleOverview(request, context: context) }
        pages.get("jobs") { [self] request, context in try await self.consoleJobs(request, context: context) }
        pages.get("jobs/retry-failed") { [self] request, context in try await self.consoleRetryFailedConfirmation(request, context: context) }
        pages.get("jobs/{id}") { [self] request, context in try await self.consoleJob(request, context: context, fragment: false) }
        pages.get("people") { [self] request, context in try await self.consolePeople(request, context: context) }
        pages.get("discussions") { [self] request, context in try await self.consoleDiscussions(request, context: context) }
        pages.get("discussions/{id}") { [self] request, context in try await self.consoleThread(request, context: context) }

        let fragments = console.group().add(middleware: ConsolePageGuard(fragments: true))
        fragments.get("overview/fragment") { [self] request, context in try await self.consoleOverviewFragment(request, context: context) }
        fragments.get("jobs/{id}/fragment") { [self] request, context in try await self.consoleJob(request, context: context, fragment: true) }

        let actions = console.group().add(middleware: forms).add(middleware: ConsoleActionGuard(gate: consoleGate, operatorOnly: true))
        actions.post("jobs/retry-failed") { [self] request, context in try await self.consoleRetryFailed(request, context: context) }
        actions.post("jobs/{id}/retry") { [self] request, context in try await self.consoleJobAction(request, context: context, retry: true) }
        actions.post("jobs/{id}/cancel") { [self] request, context in try await self.consoleJobAction(request, context: context, retry: false) }
        actions.post("people/unsuppress") { [self] request, context in try await self.consoleUnsuppress(request, context: context) }
        actions.post("inbound/{id}/release") { [self] request, context in try await self.consoleInboundAction(request, context: context, release: true) }
        actions.post("inbound/{id}/discard") { [self] request, context in try await self.consoleInboundAction(request, context: context, release: false) }
    }

    /// `GET /admin/login`: the form, with a CSRF token bound to a pre-login session cookie.
    func consoleLoginPage(_ request: Request, context: ConsoleRequestContext) throws -> Response {
        var access = try context.access()
        if access.role.canLook || configuration.admin == nil { return consoleRedirect("/admin", cookie: access.setCookie) }
        if access.session == nil {
            let session = ConsoleSession(role: .anonymous, expires: ConsoleGate.nowSeconds() + 3600)
            access.session = session
            access.csrf = consoleGate.codec.csrfToken(for: session)
            access.setCookie = consoleGate.cookie(session, secure: consoleGate.isHTTPS(request, peer: context.remoteAddress?.ipAddress))
        }
        return consolePage("login", title: "Log in", nav: "", context: [:], access: access)
    }

    /// `POST /admin/login`: a new session (new nonce, so a planted cookie is worth nothing) for
    /// the role the credentials grant.
    func consoleLogin(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        var access = try context.access()
        guard configuration.admin != nil else { return consoleRedirect("/admin", cookie: access.setCookie) }
        guard consoleGate.verifyCSRF(context.form, for: access.session) else {
            return Self.text(.forbidden, "missing or wrong CSRF token: reload the login page and try again")
        }
        let secure = consoleGate.isHTTPS(request, peer: context.remoteAddress?.ipAddress)
        guard let role = ConsoleSessionCodec.role(user: context.form["user"] ?? "", password: context.form["password"] ?? "",
                                                  admin: configuration.admin, readOnly: configuration.adminReadOnly)
        else {
            logger.notice("console login refused")
            // A small fixed delay makes guessing slower without holding a thread.
            try await Task.sleep(for: .milliseconds(300))
            access.role = .anonymous
            return consolePage("login", title: "Log in", nav: "", context: ["failed": true], access: access, status: .unauthorized)
        }
        logger.info("console login", metadata: ["console.role": "\(role.rawValue)"])
        let fresh = ConsoleSession(role: role, expires: ConsoleGate.nowSeconds() + ConsoleSession.lifetime)
        return consoleRedirect("/admin", cookie: consoleGate.cookie(fresh, secure: secure))
    }

    /// `POST /admin/logout` (its CSRF token checked by the route's guard): clears the cookie.
    func consoleLogout(_ request: Request, context: ConsoleRequestContext) throws -> Response {
        consoleRedirect("/admin/login", cookie: consoleGate.cookie(nil, secure: consoleGate.isHTTPS(request, peer: context.remoteAddress?.ipAddress)))
    }

    /// Logs an operator's action (what and by which role, never the target: it may be an address;
    /// the target is in `herald_console_actions`).
    func logConsoleAction(_ action: String) {
        logger.notice("console action", metadata: ["console.action": "\(action)"])
    }

    /// The numeric `{id}` path parameter, or a 404.
    static func consoleJobID(_ context: ConsoleRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw Refusal(text(.notFound, "no such job"))
        }
        return id
    }

    /// The UUID `{id}` path parameter, or a 404.
    static func consoleUUID(_ context: ConsoleRequestContext, what: String) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Refusal(text(.notFound, "no such \(what)"))
        }
        return id
    }
}
