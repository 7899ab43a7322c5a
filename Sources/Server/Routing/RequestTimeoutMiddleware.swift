import Hummingbird

/// Bounds the rest of a route group's chain to `timeout`: when it takes longer, it is cancelled
/// (a query in flight is cancelled in PostgreSQL too) and the request answers 503.
struct RequestTimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // `next` runs in a child task so that the timer can cancel it. It cannot outlive this call:
        // the task group waits for its children before returning, the pattern Hummingbird itself
        // uses to cancel a handler (RequestBody+inboundClose.swift).
        try await withoutActuallyEscaping(next) { next in
            let chain = UncheckedSendable(next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await chain.value(request, context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw HTTPError(.serviceUnavailable, message: "the request took too long")
                }
                return response
            }
        }
    }
}

/// Carries a value the compiler cannot prove `Sendable` into a child task that is awaited
/// before the value's scope ends (see ``RequestTimeoutMiddleware``).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
