import Synchronization

/// The jobs this worker holds: claimed and not yet settled in the database. A job enters when its
/// claim's answer arrives and leaves once the completer has written its outcome.
///
/// This is what the heartbeat renews, and what tells a lost claim's rows (committed under this
/// worker's id, but never seen by it) from the jobs it really runs.
final class HeldJobs: Sendable {
    private let held = Mutex<[Int64: String]>([:])

    /// Records claimed jobs of `queue`.
    func add(_ ids: some Sequence<Int64>, queue: String) {
        held.withLock { held in for id in ids { held[id] = queue } }
    }

    /// Forgets jobs whose outcome is written.
    func remove(_ ids: some Sequence<Int64>) {
        held.withLock { held in for id in ids { held.removeValue(forKey: id) } }
    }

    /// Every held id, sorted.
    var ids: [Int64] { held.withLock { $0.keys.sorted() } }

    /// The held ids of one queue.
    func ids(queue: String) -> [Int64] { held.withLock { $0.compactMap { $0.value == queue ? $0.key : nil } } }

    var count: Int { held.withLock { $0.count } }
}
