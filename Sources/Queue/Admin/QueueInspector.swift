public import Postgres

/// Read-only views of `herald_jobs` for operators (the console at `/admin`, tools): counts,
/// the last hour, the leader and workers, job lists and one job's history.
///
/// No read counts over the whole table: each reads an index range (the partial indexes of the
/// live states, `herald_jobs_finished_idx` for finished jobs, the claim index for the oldest
/// waiting job, the primary key for the newest jobs), so every answer takes milliseconds with
/// millions of rows (docs/console.md, "Speed"). Every statement is parameterised.
public struct QueueInspector: Sendable {
    /// The most jobs of one state ``liveCounts(cap:)`` counts.
    public static let countCap = 100_000

    /// Where the jobs live.
    public let pool: PostgresPool

    /// An inspector over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }
}
