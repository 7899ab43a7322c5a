import HTTPTypes
import Hummingbird

/// Lets through callers who may see the console's pages. An anonymous caller is sent to the
/// login page (303), or, asking for a fragment that a page's script refreshes, gets 401.
struct ConsolePageGuard: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    /// The routes are fragments (answered 401 rather than redirected).
    let fragments: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try context.access().role.canLook else {
            if fragments { return HeraldServer.text(.unauthorized, "log in again: the console session ended") }
            var headers = HTTPFields()
            headers[.location] = "/admin/login"
            headers[.cacheControl] = "no-store"
            return Response(status: .seeOther, headers: headers)
        }
        return try await next(request, context)
    }
}

/// Reads a POST body (at most `maximumBodySize`: 413) as a form into `context.form` (400 when
/// malformed or above 64 KiB).
struct ConsoleFormReader: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let maximumBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let body = try await request.boundedBody(limit: maximumBodySize)
        context.form = try ConsoleForm(String(buffer: body))
        return try await next(request, context)
    }
}

/// Lets through a POST only with the session's CSRF token in its form (a forged or
/// replayed-elsewhere POST: 403, nothing changes) and, when `operatorOnly`, from the operator
/// (a read-only login: 403). Runs after ``ConsoleFormReader``.
struct ConsoleActionGuard: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let gate: ConsoleGate
    let operatorOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let access = try context.access()
        guard gate.verifyCSRF(context.form, for: access.session) else {
            return HeraldServer.text(.forbidden, "missing or wrong CSRF token: reload the page and try again")
        }
        guard !operatorOnly || access.role.canAct else {
            return HeraldServer.text(.forbidden, "this login can look but not act")
        }
        return try await next(request, context)
    }
}
