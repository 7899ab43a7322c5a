import Hummingbird

/// Answers a thrown ``Refusal`` with its response. The first middleware of every route group.
struct RefusalMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refusal as Refusal {
            return refusal.answer
        }
    }
}
