import Synchronization

/// The jobs running in this process, with a way to cancel each one: for the per-job timeout and
/// for releasing jobs that outlive the shutdown grace period.
final class InFlightJobs: Sendable {
    enum Reason: Sendable { case timeout, shutdown }

    private struct Entry {
        let task: UnsafeCurrentTask
        let deadline: ContinuousClock.Instant
        var cancelled: Reason?
    }
    // UnsafeCurrentTask is only touched under the lock, and removed before its task ends.
    private struct State: @unchecked Sendable {
        var entries: [Int64: Entry] = [:]
    }
    private let state = Mutex(State())

    var count: Int { state.withLock { $0.entries.count } }

    /// Runs `body` registered under `id`; returns its result and why it was cancelled, if it was.
    func run<T: Sendable>(id: Int64, timeout: Duration, _ body: () async -> T) async -> (T, Reason?) {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            state.withLock { $0.entries[id] = Entry(task: task, deadline: .now + timeout, cancelled: nil) }
        }
        let value = await body()
        let reason = state.withLock { $0.entries.removeValue(forKey: id)?.cancelled }
        return (value, reason)
    }

    /// Cancels jobs past their deadline.
    func cancelOverdue() {
        let now = ContinuousClock.now
        state.withLock { state in
            for (id, entry) in state.entries where entry.cancelled == nil && entry.deadline <= now {
                state.entries[id]?.cancelled = .timeout
                entry.task.cancel()
            }
        }
    }

    /// Cancels every job still running (shutdown grace period over).
    func cancelAll() {
        state.withLock { state in
            for (id, entry) in state.entries where entry.cancelled == nil {
                state.entries[id]?.cancelled = .shutdown
                entry.task.cancel()
            }
        }
    }
}
