import Synchronization

/// The jobs this worker holds: claimed and not yet settled in the database. A job enters when its
/// claim's answer arrives and leaves once the completer has written its outcome.
///
/// This is what the heartbeat renews, and what tells a lost claim's rows (committed under this
/// worker's id, but never seen by it) from the jobs it really runs.
final class HeldJobs: Sendable {
    private struct Entry {
        var queue: String
        /// The completer is writing this job's outcome now.
        var settling = false
    }
    private let held = Mutex<[Int64: Entry]>([:])

    /// Records claimed jobs of `queue`.
    func add(_ ids: some Sequence<Int64>, queue: String) {
        held.withLock { held in for id in ids { held[id] = Entry(queue: queue) } }
    }

    /// Marks jobs whose outcome is being written (true) or could not be written (false). The
    /// heartbeat leaves settling jobs alone: renewing them would only queue it behind, or ahead
    /// of, the statement that settles them.
    func setSettling(_ ids: some Sequence<Int64>, _ settling: Bool) {
        held.withLock { held in for id in ids { held[id]?.settling = settling } }
    }

    /// Forgets jobs whose outcome is written.
    func remove(_ ids: some Sequence<Int64>) {
        held.withLock { held in for id in ids { held.removeValue(forKey: id) } }
    }

    /// The held ids whose lease the heartbeat renews (all but those being settled), sorted.
    var renewable: [Int64] { held.withLock { $0.compactMap { $0.value.settling ? nil : $0.key }.sorted() } }

    /// The held ids of one queue, settling or not.
    func ids(queue: String) -> [Int64] { held.withLock { $0.compactMap { $0.value.queue == queue ? $0.key : nil } } }

    var count: Int { held.withLock { $0.count } }
}
