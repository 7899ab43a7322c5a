import HummingbirdAuth
import Hummingbird

/// Lets a request through only when an authenticator earlier in its route group set
/// `context.identity`; answers `refusal()` otherwise.
///
/// HummingbirdAuth's `IsAuthenticatedMiddleware` does the same with a bare 401; Herald's
/// refusals carry their own status, headers and one-line reason.
struct RequireIdentityMiddleware<Context: AuthRequestContext>: RouterMiddleware {
    let refusal: @Sendable () -> Response

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity != nil else { return refusal() }
        return try await next(request, context)
    }
}
