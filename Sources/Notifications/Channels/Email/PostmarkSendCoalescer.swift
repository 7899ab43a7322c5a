public import Providers
/// Sends emails that arrive close together in one Postmark `POST /email/batch` call, and a lone
/// email through `POST /email`.
///
/// The first email of a round opens it: the coalescer starts a task of its own that waits `window`,
/// then sends everything that arrived meanwhile (``PostmarkClient/sendBatch(_:)`` splits it into
/// calls of at most 500 and classifies each element's `ErrorCode` on its own) and hands every
/// caller its own result. The round belongs to the coalescer, not to any caller: a caller whose
/// task is cancelled (a job's timeout, a shutdown release) cannot cut the window short or cancel
/// the HTTP call that carries the others' emails. A caller always gets its email's real result,
/// so it never reports as unsent an email that went out.
public actor PostmarkSendCoalescer {
    private typealias Waiter = (request: PostmarkEmailRequest, continuation: CheckedContinuation<PostmarkSendResult, Never>)
    private let client: PostmarkClient
    private let window: Duration
    private var waiting: [Waiter] = []
    /// The round gathering emails now, if any. Rounds that are sending already are not kept: each
    /// ends when its calls return (bounded by the client's request timeout) and resumes its callers.
    private var gathering: Task<Void, Never>?

    /// Creates a coalescer over `client` that gathers emails for `window` (default 25 ms).
    public init(client: PostmarkClient, window: Duration = .milliseconds(25)) {
        self.client = client
        self.window = window
    }

    /// Sends `request`, possibly together with others, and returns its own result.
    public func send(_ request: PostmarkEmailRequest) async -> PostmarkSendResult {
        await withCheckedContinuation { continuation in
            waiting.append((request, continuation))
            if gathering == nil {
                gathering = Task { await self.runRound() }
            }
        }
    }

    private func runRound() async {
        // This task is the coalescer's own: no caller can cancel it.
        try? await Task.sleep(for: window)
        let round = waiting
        waiting = []
        gathering = nil
        if round.count == 1 {
            round[0].continuation.resume(returning: await client.send(round[0].request))
            return
        }
        let results = await client.sendBatch(round.map(\.request))
        for (waiter, result) in zip(round, results) { waiter.continuation.resume(returning: result) }
    }
}
