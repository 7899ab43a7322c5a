import Foundation

/// How many test databases may be in use at once, across the whole test process.
///
/// Swift Testing starts every test at once and lets them interleave at each `await`, so the number
/// of live tests (and of PostgreSQL connections: a pool, workers, child processes) grows with how
/// slow the machine is, not with its cores: 340 connections were counted at the peak of a quiet
/// 2-core run, and a CI run on a busier machine failed three unrelated tests at the same second
/// (a pool that could not connect, a `/healthz` 503). A fixed number of slots keeps the
/// connection count under the cluster's `max_connections` (500, `herald tempdb`) on any machine.
/// `HERALD_TEST_DATABASES` overrides the default of 32.
public actor TestDatabaseSlots {
    /// The one instance shared by every test in the process.
    public static let shared = TestDatabaseSlots(
        count: ProcessInfo.processInfo.environment["HERALD_TEST_DATABASES"].flatMap { Int($0) }.map { max(1, $0) } ?? 32)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(count: Int) { free = count }

    /// Waits for a free slot. Not cancellable on purpose: a slot taken must always be given back.
    public func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    public func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
