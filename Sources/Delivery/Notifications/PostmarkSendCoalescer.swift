/// Sends emails that arrive close together in one Postmark `POST /email/batch` call, and a lone
/// email through `POST /email`.
///
/// The first caller of a round waits `window`, then sends everything that arrived meanwhile
/// (``PostmarkClient/sendBatch(_:)`` splits it into calls of at most 500 and classifies each
/// element's `ErrorCode` on its own) and hands every caller its own result. No task is left
/// behind: the round runs in the first caller's task.
public actor PostmarkSendCoalescer {
    private let client: PostmarkClient
    private let window: Duration
    private var waiting: [(request: PostmarkEmailRequest, continuation: CheckedContinuation<PostmarkSendResult, Never>)] = []
    private var roundOpen = false

    /// Creates a coalescer over `client` that gathers emails for `window` (default 25 ms).
    public init(client: PostmarkClient, window: Duration = .milliseconds(25)) {
        self.client = client
        self.window = window
    }

    /// Sends `request`, possibly together with others, and returns its own result.
    public func send(_ request: PostmarkEmailRequest) async -> PostmarkSendResult {
        if roundOpen {
            return await withCheckedContinuation { waiting.append((request, $0)) }
        }
        roundOpen = true
        try? await Task.sleep(for: window)
        let others = waiting
        waiting = []
        roundOpen = false
        if others.isEmpty { return await client.send(request) }
        let results = await client.sendBatch([request] + others.map(\.request))
        for (index, other) in others.enumerated() {
            other.continuation.resume(returning: results[index + 1])
        }
        return results[0]
    }
}
