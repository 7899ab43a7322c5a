public import Foundation
import Postgres

/// The queue at a glance: counts per queue and state, finished jobs per minute, the oldest
/// waiting job of each queue, failing kinds, the leader, the worker processes and their leases.
extension QueueInspector {
    /// How many jobs of `queue` are in `state`.
    public struct StateCount: Sendable, Hashable {
        public var queue: String
        public var state: JobState
        public var count: Int
    }

    /// How many jobs finished as `state` (`completed` or `failed`) in the minute starting at `minute`.
    public struct FinishedMinute: Sendable, Hashable {
        /// The minute's first second, Unix time.
        public var minute: Int64
        public var state: JobState
        public var count: Int
    }

    /// The database's clock, which decides which minutes are over.
    public struct Clock: Sendable, Hashable {
        /// The current minute's first second, Unix time.
        public var minute: Int64
        public var now: Date
    }

    /// The job of `queue` that has waited longest to run.
    public struct WaitingJob: Sendable, Hashable {
        public var queue: String
        public var id: Int64
        public var kind: String
        /// How long it has waited, as PostgreSQL prints a justified interval (`00:01:05`, `1 day 02:00:00`).
        public var wait: String
    }

    /// A kind that failed in the last 24 hours or is waiting to retry.
    public struct FailingKind: Sendable, Hashable {
        public var kind: String
        /// Failed in the last 24 hours.
        public var failed: Int
        /// `retryable` now.
        public var retrying: Int
        /// Its latest failure or attempt.
        public var lastAt: Date?
        /// The latest error, at most 300 characters.
        public var lastError: String?
    }

    /// The maintenance leader (the lease row of `herald_leader`).
    public struct Leader: Sendable, Hashable {
        public var worker: String
        public var since: Date
        public var leaseUntil: Date
    }

    /// A worker process, seen by the connection it keeps `LISTEN`ing on `herald_jobs`.
    public struct ListeningWorker: Sendable, Hashable {
        /// The backend's process id.
        public var pid: Int
        /// `application_name`, or `?`.
        public var application: String
        /// The client's address, or `local socket`.
        public var client: String
        public var since: Date
        public var stateChange: Date?
    }

    /// A worker holding running jobs, with the lease its heartbeat renews.
    public struct LeaseHolder: Sendable, Hashable {
        /// `locked_by`, or `?`.
        public var worker: String
        public var running: Int
        public var leaseUntil: Date?
        public var oldestStart: Date?
        /// The lease is in the past: the rescuer will take these jobs back.
        public var leaseExpired: Bool
    }

    /// Jobs per queue and state, for the states an operator watches (available, scheduled,
    /// running, retryable, failed): one branch per partial index, each stopping at `cap` rows.
    public func liveCounts(cap: Int = QueueInspector.countCap) async throws -> [StateCount] {
        try await pool.query(
            """
            SELECT queue, state, count(*)::bigint AS n FROM (
                (SELECT queue, 'available'::text AS state FROM herald_jobs WHERE state = 'available' LIMIT $1)
                UNION ALL (SELECT queue, state FROM herald_jobs WHERE state IN ('scheduled', 'retryable') LIMIT $1)
                UNION ALL (SELECT queue, 'running' FROM herald_jobs WHERE state = 'running' LIMIT $1)
                UNION ALL (SELECT queue, 'failed' FROM herald_jobs WHERE state = 'failed' LIMIT $1)) j
             GROUP BY queue, state
            """, [cap]
        ).map { row in
            StateCount(queue: try row.decode(String.self, column: "queue"), state: try Self.state(row), count: try row.decode(Int.self, column: "n"))
        }
    }

    /// Completed and failed jobs per minute since `since` (Unix time of a minute): an index-only
    /// range of `herald_jobs_finished_idx (state, finished_at)`, all queues together.
    public func finishedPerMinute(since: Int64) async throws -> [FinishedMinute] {
        try await pool.query(
            """
            SELECT extract(epoch FROM m)::bigint AS minute, state, n FROM (
                SELECT date_trunc('minute', finished_at) AS m, state, count(*)::bigint AS n
                  FROM herald_jobs
                 WHERE state IN ('completed', 'failed') AND finished_at >= to_timestamp($1)
                 GROUP BY 1, 2) per_minute
            """, [Double(since)]
        ).map { row in
            FinishedMinute(minute: try row.decode(Int64.self, column: "minute"), state: try Self.state(row), count: try row.decode(Int.self, column: "n"))
        }
    }

    /// The database's current time and minute.
    public func clock() async throws -> Clock {
        let row = try await pool.query("SELECT extract(epoch FROM date_trunc('minute', now()))::bigint AS minute, now() AS now")[0]
        return Clock(minute: try row.decode(Int64.self, column: "minute"), now: try row.decode(Date.self, column: "now"))
    }

    /// The oldest available job of every queue: a loose index scan of `herald_jobs_claim_idx`
    /// (queue, priority, run_at, id) for the queues, then its first entry per priority.
    public func oldestWaiting() async throws -> [WaitingJob] {
        try await pool.query(
            """
            WITH RECURSIVE queues AS (
                (SELECT queue FROM herald_jobs WHERE state = 'available' ORDER BY queue LIMIT 1)
                UNION ALL
                SELECT (SELECT j.queue FROM herald_jobs j WHERE j.state = 'available' AND j.queue > q.queue ORDER BY j.queue LIMIT 1)
                  FROM queues q WHERE q.queue IS NOT NULL
            )
            SELECT DISTINCT ON (q.queue) q.queue, j.id, j.kind,
                   justify_interval(date_trunc('second', greatest(now() - j.run_at, interval '0')))::text AS wait
              FROM queues q
             CROSS JOIN unnest(ARRAY[0, 1, 2, 3]::smallint[]) AS p(priority)
             CROSS JOIN LATERAL (SELECT id, kind, run_at FROM herald_jobs
                                  WHERE state = 'available' AND queue = q.queue AND priority = p.priority
                                  ORDER BY run_at, id LIMIT 1) j
             WHERE q.queue IS NOT NULL
             ORDER BY q.queue, j.run_at, j.id
            """
        ).map { row in
            WaitingJob(
                queue: try row.decode(String.self, column: "queue"), id: try row.decode(Int64.self, column: "id"),
                kind: try row.decode(String.self, column: "kind"), wait: try row.decode(String.self, column: "wait"))
        }
    }

    /// Kinds that failed in the last 24 hours or are waiting to retry, with their latest error
    /// (one pass over those rows: the finished and due partial indexes); the 20 failing most.
    public func failingKinds() async throws -> [FailingKind] {
        try await pool.query(
            """
            SELECT kind, count(*) FILTER (WHERE state = 'failed')::bigint AS failed,
                   count(*) FILTER (WHERE state = 'retryable')::bigint AS retrying, max(at) AS last_at,
                   left((array_agg(error ORDER BY at DESC NULLS LAST))[1], 300) AS last_error
              FROM (SELECT kind, state, coalesce(finished_at, attempted_at) AS at, errors -> -1 ->> 'error' AS error
                      FROM herald_jobs
                     WHERE (state = 'failed' AND finished_at >= now() - interval '24 hours') OR state = 'retryable') f
             GROUP BY kind ORDER BY 2 DESC, 3 DESC, kind LIMIT 20
            """
        ).map { row in
            FailingKind(
                kind: try row.decode(String.self, column: "kind"), failed: try row.decode(Int.self, column: "failed"),
                retrying: try row.decode(Int.self, column: "retrying"), lastAt: try row.decode(Date?.self, column: "last_at"),
                lastError: try row.decode(String?.self, column: "last_error"))
        }
    }

    /// The maintenance leader, while its lease (migration 060) has not expired.
    public func leader() async throws -> Leader? {
        try await pool.query("SELECT leader_id, elected_at, expires_at FROM herald_leader WHERE expires_at > now()").first.map { row in
            Leader(
                worker: try row.decode(String.self, column: "leader_id"), since: try row.decode(Date.self, column: "elected_at"),
                leaseUntil: try row.decode(Date.self, column: "expires_at"))
        }
    }

    /// Worker processes: each keeps one connection `LISTEN`ing on `herald_jobs` (`pg_stat_activity`).
    public func listeningWorkers() async throws -> [ListeningWorker] {
        try await pool.query(
            """
            SELECT pid, coalesce(nullif(application_name, ''), '?') AS application,
                   coalesce(host(client_addr), 'local socket') AS client, backend_start, state_change
              FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%herald_jobs%' AND pid <> pg_backend_pid()
             ORDER BY backend_start
            """
        ).map { row in
            ListeningWorker(
                pid: try row.decode(Int.self, column: "pid"), application: try row.decode(String.self, column: "application"),
                client: try row.decode(String.self, column: "client"), since: try row.decode(Date.self, column: "backend_start"),
                stateChange: try row.decode(Date?.self, column: "state_change"))
        }
    }

    /// Workers holding running jobs, with their lease (renewed by each worker's heartbeat).
    public func leaseHolders() async throws -> [LeaseHolder] {
        try await pool.query(
            """
            SELECT coalesce(locked_by, '?') AS worker, count(*)::bigint AS running, max(lease_expires_at) AS lease_until,
                   min(attempted_at) AS oldest_start, coalesce(max(lease_expires_at) < now(), false) AS lease_expired
              FROM herald_jobs WHERE state = 'running'
             GROUP BY locked_by ORDER BY locked_by
            """
        ).map { row in
            LeaseHolder(
                worker: try row.decode(String.self, column: "worker"), running: try row.decode(Int.self, column: "running"),
                leaseUntil: try row.decode(Date?.self, column: "lease_until"), oldestStart: try row.decode(Date?.self, column: "oldest_start"),
                leaseExpired: try row.decode(Bool.self, column: "lease_expired"))
        }
    }

    static func state(_ row: PostgresRow) throws -> JobState {
        let text = try row.decode(String.self, column: "state")
        guard let state = JobState(rawValue: text) else {
            throw PostgresError(code: .decoding, message: "unknown job state \(text)", columnName: "state")
        }
        return state
    }
}
