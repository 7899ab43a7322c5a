/// Turns many concurrent single-row statements of one shape into few multi-row statements.
///
/// Up to `maximumConcurrent` batches run at once; a caller that finds a free slot runs its input
/// alone at once (no added latency when idle). Callers arriving while every slot is busy wait;
/// when a batch ends, the first waiter is promoted to run the next batch (up to `maximumBatch`
/// inputs) in its own task, so no task is ever spawned. `execute` receives the inputs in order
/// and must return one output per input, in the same order; its error goes to every caller of
/// that batch.
actor StatementBatcher<Input: Sendable, Output: Sendable> {
    private typealias Waiter = (input: Input, continuation: CheckedContinuation<Signal, Never>)
    private enum Signal: Sendable {
        case finished(Result<Output, any Error>)
        case lead([Waiter])
    }

    private let maximumConcurrent: Int
    private let maximumBatch: Int
    private let execute: @Sendable ([Input]) async throws -> [Output]
    private var queue: [Waiter] = []
    private var running = 0

    init(maximumConcurrent: Int = 4, maximumBatch: Int = 500, execute: @escaping @Sendable ([Input]) async throws -> [Output]) {
        self.maximumConcurrent = max(1, maximumConcurrent)
        self.maximumBatch = max(1, maximumBatch)
        self.execute = execute
    }

    /// Runs `input` (alone or with others) and returns its output.
    func submit(_ input: Input) async throws -> Output {
        if running < maximumConcurrent {
            running += 1
            return try await runBatch(own: input, others: [])
        }
        let signal = await withCheckedContinuation { queue.append((input, $0)) }
        switch signal {
        case .finished(let result): return try result.get()
        case .lead(let others): return try await runBatch(own: input, others: others)
        }
    }

    private func runBatch(own: Input, others: [Waiter]) async throws -> Output {
        let inputs = [own] + others.map(\.input)
        let result: Result<[Output], any Error>
        do {
            let outputs = try await execute(inputs)
            guard outputs.count == inputs.count else { throw BatchSizeMismatch(expected: inputs.count, got: outputs.count) }
            result = .success(outputs)
        } catch {
            result = .failure(error)
        }
        for (index, waiter) in others.enumerated() {
            waiter.continuation.resume(returning: .finished(result.map { $0[index + 1] }))
        }
        if queue.isEmpty {
            running -= 1
        } else {
            // Hand the slot to the first waiter, with the next batch.
            let leader = queue.removeFirst()
            let take = min(queue.count, maximumBatch - 1)
            let rest = Array(queue.prefix(take))
            queue.removeFirst(take)
            leader.continuation.resume(returning: .lead(rest))
        }
        return try result.get()[0]
    }

    struct BatchSizeMismatch: Error, CustomStringConvertible {
        var expected: Int
        var got: Int
        var description: String { "a batched statement returned \(got) results for \(expected) inputs" }
    }
}
