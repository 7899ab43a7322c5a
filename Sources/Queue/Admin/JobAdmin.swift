public import Foundation
public import Postgres

/// What an operator does to jobs, through the same SQL functions operators call from psql
/// (`herald_retry_job`, `herald_cancel_job`, `herald_retry_failed_jobs`, sql/003), each recorded
/// in the ``OperatorActionLog`` in the transaction that made the change (a retry or cancel that
/// changed nothing is not recorded; a bulk retry always is, with its count).
public struct JobAdmin: Sendable {
    /// What a retry did.
    public enum RetryOutcome: Sendable, Hashable {
        /// The job is `available` again, with the extra attempts.
        case retried
        /// The job is not failed, cancelled, retryable or scheduled (any more), or does not exist.
        case notRetryable
        /// Another live job holds the job's unique key: retrying would make two.
        case uniqueKeyTaken
    }

    /// What a bulk retry did.
    public enum BulkRetryOutcome: Sendable, Hashable {
        /// This many failed jobs are `available` again.
        case retried(Int)
        /// One of them has a unique key another live job holds: nothing was retried.
        case uniqueKeyTaken
    }

    /// Where the jobs live.
    public let pool: PostgresPool

    /// An admin over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Re-queues job `id` now with `extraAttempts` more attempts (`herald_retry_job`), as `actor`.
    public func retry(id: Int64, extraAttempts: Int, actor: String) async throws -> RetryOutcome {
        do {
            return try await pool.transaction { connection in
                let done = try await connection.query("SELECT herald_retry_job($1, $2::integer) AS done", [id, extraAttempts])[0]
                    .decode(Bool.self, column: "done")
                guard done else { return .notRetryable }
                try await OperatorActionLog.record(
                    actor: actor, action: "retry_job", target: String(id), detail: "extra_attempts=\(extraAttempts)", on: connection)
                return .retried
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            return .uniqueKeyTaken
        }
    }

    /// Cancels job `id` if it has not finished (`herald_cancel_job`), as `actor`. Returns false
    /// when it had already finished or does not exist.
    public func cancel(id: Int64, actor: String) async throws -> Bool {
        try await pool.transaction { connection in
            let done = try await connection.query("SELECT herald_cancel_job($1) AS done", [id])[0].decode(Bool.self, column: "done")
            if done { try await OperatorActionLog.record(actor: actor, action: "cancel_job", target: String(id), on: connection) }
            return done
        }
    }

    /// Re-queues every job of `kind` that failed in [`since`, `until`) (`herald_retry_failed_jobs`;
    /// nil `since`: from the beginning), as `actor`. The same bounds as
    /// ``QueueInspector/failedCount(kind:since:until:)`` touch the same jobs.
    public func retryFailed(kind: String, since: Date?, until: Date, extraAttempts: Int, actor: String) async throws -> BulkRetryOutcome {
        do {
            return try await pool.transaction { connection in
                let count = try await connection.query(
                    "SELECT herald_retry_failed_jobs($1, $2, $3, $4::integer) AS n",
                    [kind, since ?? Date(timeIntervalSince1970: 0), until, extraAttempts])[0].decode(Int.self, column: "n")
                let bounds = "since=\(since.map(Self.format) ?? "-") until=\(Self.format(until))"
                try await OperatorActionLog.record(
                    actor: actor, action: "retry_failed_jobs", target: kind,
                    detail: "\(bounds) extra_attempts=\(extraAttempts) retried=\(count)", on: connection)
                return .retried(count)
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            return .uniqueKeyTaken
        }
    }

    /// `YYYY-MM-DD HH:MM:SS.fff` in UTC, as operators type and read times.
    static func format(_ date: Date) -> String {
        String(PostgresTimestamp.format(date).prefix(23))
    }
}
