public import Postgres

/// Work that only the leader runs, on an interval: the queue's own rescuer, stager and pruner,
/// and domain tasks such as enqueueing due digests.
public protocol PeriodicTask: Sendable {
    /// For logs.
    var name: String { get }
    /// How often to run.
    var interval: Duration { get }
    /// One run. Errors are logged and the task runs again at its next interval.
    func run(pool: PostgresPool) async throws
}
