import Synchronization

/// The jobs running in this process, each watched for its timeout and for the end of the shutdown
/// grace period.
///
/// Structured concurrency: each job runs as a child of a task group next to a watcher child. When
/// the watchdog finds the deadline passed (or shutdown releases every job) it wakes the watcher,
/// and the group cancels the handler's task; when the handler finishes first, the group cancels
/// the watcher. No task is cancelled from outside its group.
final class InFlightJobs: Sendable {
    enum Reason: Sendable { case timeout, shutdown }

    private struct Entry {
        let deadline: ContinuousClock.Instant
        var watcher: CheckedContinuation<Reason?, Never>?
        var fired: Reason?
        var watcherCancelled = false
    }
    /// Keyed by run, not by job id: after a rescue the same job can run twice in one process (a
    /// worker cut off for longer than its lease claims its own rescued job while the first run
    /// goes on), and each run needs its own watcher, or one of them never ends.
    private let state = Mutex<[UInt64: Entry]>([:])
    private let nextRun = Atomic<UInt64>(0)

    var count: Int { state.withLock { $0.count } }

    private enum Event<T: Sendable>: Sendable {
        case finished(T)
        case stopped(Reason?)
    }

    /// Runs `body` (one attempt of job `id`); returns its result and why it was cancelled, if it
    /// was. `body` is cancelled (and awaited) when `timeout` passes or `cancelAll()` is called.
    func run<T: Sendable>(id job: Int64, timeout: Duration, _ body: @escaping @Sendable () async -> T) async -> (T, Reason?) {
        let id = nextRun.add(1, ordering: .relaxed).newValue
        state.withLock { $0[id] = Entry(deadline: .now + timeout) }
        defer { state.withLock { _ = $0.removeValue(forKey: id) } }
        return await withTaskGroup(of: Event<T>.self) { group in
            group.addTask { .finished(await body()) }
            group.addTask { .stopped(await self.watch(id)) }
            var value: T?
            var reason: Reason?
            while let event = await group.next() {
                switch event {
                case .finished(let result):
                    value = result
                    group.cancelAll()  // ends the watcher
                case .stopped(let why):
                    // A reason that comes after the handler finished changes nothing.
                    if let why, value == nil {
                        reason = why
                        group.cancelAll()  // cancels the handler; we still wait for it to return
                    }
                }
            }
            // The body child always delivers `.finished` before the group is empty.
            guard let value else { preconditionFailure("job body ended without a result") }
            return (value, reason)
        }
    }

    /// Suspends until the job is timed out or released (returns why), or until cancelled (nil).
    private func watch(_ id: UInt64) async -> Reason? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reason?, Never>) in
                let now: Reason?? = state.withLock { state in
                    guard var entry = state[id], !entry.watcherCancelled else { return .some(nil) }
                    if let fired = entry.fired { return .some(fired) }
                    entry.watcher = continuation
                    state[id] = entry
                    return .none
                }
                if case .some(let reason) = now { continuation.resume(returning: reason) }
            }
        } onCancel: {
            let watcher = state.withLock { state -> CheckedContinuation<Reason?, Never>? in
                state[id]?.watcherCancelled = true
                defer { state[id]?.watcher = nil }
                return state[id]?.watcher
            }
            watcher?.resume(returning: nil)
        }
    }

    /// Times out jobs past their deadline.
    func cancelOverdue() {
        let now = ContinuousClock.now
        fire(.timeout) { $0.deadline <= now }
    }

    /// Cancels every job still running (shutdown grace period over).
    func cancelAll() {
        fire(.shutdown) { _ in true }
    }

    private func fire(_ reason: Reason, where condition: (Entry) -> Bool) {
        let watchers = state.withLock { state -> [CheckedContinuation<Reason?, Never>] in
            var woken: [CheckedContinuation<Reason?, Never>] = []
            for (id, entry) in state where entry.fired == nil && condition(entry) {
                state[id]?.fired = reason
                if let watcher = entry.watcher {
                    state[id]?.watcher = nil
                    woken.append(watcher)
                }
            }
            return woken
        }
        for watcher in watchers { watcher.resume(returning: reason) }
    }
}
