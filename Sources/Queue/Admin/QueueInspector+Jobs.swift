public import Foundation
import Postgres

/// Jobs one at a time or a page at a time, newest first, and the jobs holding given unique keys.
extension QueueInspector {
    /// Which jobs a list shows. Times filter `finished_at` for a finished state (completed,
    /// failed, cancelled), `created_at` otherwise; `before` pages by id (keyset pagination).
    public struct JobFilter: Sendable, Hashable {
        public var state: JobState?
        public var kind: String?
        public var queue: String?
        public var since: Date?
        public var until: Date?
        /// Only jobs with a smaller id.
        public var before: Int64?

        /// A filter; nil matches everything.
        public init(state: JobState? = nil, kind: String? = nil, queue: String? = nil, since: Date? = nil, until: Date? = nil, before: Int64? = nil) {
            self.state = state
            self.kind = kind
            self.queue = queue
            self.since = since
            self.until = until
            self.before = before
        }
    }

    /// A line of a job list.
    public struct JobSummary: Sendable, Hashable {
        public var id: Int64
        public var state: JobState
        public var kind: String
        public var queue: String
        public var priority: Int
        public var attempt: Int
        public var maxAttempts: Int
        public var createdAt: Date
        public var runAt: Date
        public var finishedAt: Date?
        /// The latest error, at most 200 characters.
        public var lastError: String?
    }

    /// One job with everything an operator looks at.
    public struct JobDetail: Sendable, Hashable {
        public var summary: JobSummary
        public var uniqueKey: String?
        public var lockedBy: String?
        /// The arguments as indented JSON (`jsonb_pretty`).
        public var arguments: String
        public var attemptedAt: Date?
        public var leaseExpiresAt: Date?
        /// From creation to the latest attempt's start, as PostgreSQL prints a justified interval.
        public var waited: String?
        /// From creation to the end (milliseconds), as PostgreSQL prints a justified interval.
        public var total: String?
        /// The error history, newest first, as stored (each field nil when absent).
        public var errors: [ErrorEntry]

        /// Failed, cancelled, retryable or scheduled: `herald_retry_job` would re-queue it.
        public var canRetry: Bool { [.failed, .cancelled, .retryable, .scheduled].contains(summary.state) }
        /// Live: `herald_cancel_job` would cancel it.
        public var canCancel: Bool { JobState.live.contains(summary.state) }
        /// Completed, failed or cancelled: nothing changes unless an operator acts.
        public var isFinal: Bool { [.completed, .failed, .cancelled].contains(summary.state) }
    }

    /// One entry of `herald_jobs.errors`, read leniently (rows written by hand may lack fields).
    public struct ErrorEntry: Sendable, Hashable {
        public var attempt: String?
        public var at: String?
        public var worker: String?
        public var error: String?
    }

    /// A job holding a unique key (live, failed or cancelled).
    public struct KeyedJob: Sendable, Hashable {
        public var uniqueKey: String
        public var id: Int64
        public var kind: String
        public var state: JobState
    }

    private static let summaryColumns = """
        id, state, kind, queue, priority, attempt, max_attempts, created_at, run_at, finished_at,
        left(errors -> -1 ->> 'error', 200) AS last_error
        """

    /// Up to `limit` jobs matching `filter`, newest (highest id) first.
    public func jobs(_ filter: JobFilter, limit: Int) async throws -> [JobSummary] {
        // The WHERE clause is assembled from constant fragments; every value is a parameter.
        var conditions: [String] = []
        var parameters: [any PostgresBindable] = []
        func add(_ fragment: String, _ value: any PostgresBindable) {
            parameters.append(value)
            conditions.append(fragment.replacingOccurrences(of: "$?", with: "$\(parameters.count)"))
        }
        let finished: Set<JobState> = [.completed, .failed, .cancelled]
        let timeColumn = filter.state.map(finished.contains) == true ? "finished_at" : "created_at"
        if let state = filter.state { add("state = $?", state.rawValue) }
        if let kind = filter.kind { add("kind = $?", kind) }
        if let queue = filter.queue { add("queue = $?", queue) }
        if let since = filter.since { add("\(timeColumn) >= $?", since) }
        if let until = filter.until { add("\(timeColumn) < $?", until) }
        if let before = filter.before { add("id < $?", before) }
        // The limit is a literal (an Int, clamped), not a parameter: with an unknown LIMIT a cached
        // generic plan may not pick the backward primary-key scan that keeps every page fast.
        let sql = "SELECT \(Self.summaryColumns) FROM herald_jobs"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id DESC LIMIT \(min(max(limit, 1), 1000))"
        return try await pool.query(sql, parameters).map(Self.summary)
    }

    /// Job `id` with its error history, or nil.
    public func job(id: Int64) async throws -> JobDetail? {
        async let jobRows = pool.query(
            """
            SELECT \(Self.summaryColumns), unique_key, locked_by, jsonb_pretty(args) AS arguments, attempted_at, lease_expires_at,
                   justify_interval(date_trunc('second', attempted_at - created_at))::text AS waited,
                   justify_interval(date_trunc('millisecond', finished_at - created_at))::text AS total
              FROM herald_jobs WHERE id = $1
            """, [id])
        async let errorRows = pool.query(
            """
            SELECT e ->> 'attempt' AS attempt, e ->> 'at' AS at, e ->> 'worker' AS worker, e ->> 'error' AS error
              FROM herald_jobs, jsonb_array_elements(errors) WITH ORDINALITY AS x(e, n)
             WHERE id = $1 ORDER BY n DESC
            """, [id])
        guard let row = try await jobRows.first else {
            _ = try? await errorRows
            return nil
        }
        let errors = try await errorRows.map { row in
            ErrorEntry(
                attempt: try row.decode(String?.self, column: "attempt"), at: try row.decode(String?.self, column: "at"),
                worker: try row.decode(String?.self, column: "worker"), error: try row.decode(String?.self, column: "error"))
        }
        return JobDetail(
            summary: try Self.summary(row), uniqueKey: try row.decode(String?.self, column: "unique_key"),
            lockedBy: try row.decode(String?.self, column: "locked_by"), arguments: try row.decode(String?.self, column: "arguments") ?? "",
            attemptedAt: try row.decode(Date?.self, column: "attempted_at"), leaseExpiresAt: try row.decode(Date?.self, column: "lease_expires_at"),
            waited: try row.decode(String?.self, column: "waited"), total: try row.decode(String?.self, column: "total"), errors: errors)
    }

    /// How many jobs of `kind` failed in [`since`, `until`) (nil `since`: from the beginning):
    /// exactly what ``JobAdmin/retryFailed(kind:since:until:extraAttempts:actor:)`` would touch.
    public func failedCount(kind: String, since: Date?, until: Date) async throws -> Int {
        try await pool.query(
            """
            SELECT count(*)::bigint AS n FROM herald_jobs
             WHERE state = 'failed' AND kind = $1 AND finished_at >= $2 AND finished_at < $3
            """, [kind, since ?? Date(timeIntervalSince1970: 0), until])[0].decode(Int.self, column: "n")
    }

    /// The live, failed and cancelled jobs holding one of `uniqueKeys` (completed ones are left
    /// out): two index ranges, `herald_jobs_unique_key_idx` and `herald_jobs_unique_key_finished_idx`.
    public func jobs(uniqueKeys: [String]) async throws -> [KeyedJob] {
        guard !uniqueKeys.isEmpty else { return [] }
        return try await pool.query(
            """
            SELECT unique_key, id, kind, state FROM herald_jobs
             WHERE unique_key = ANY($1::text[]) AND unique_key IS NOT NULL AND state IN \(JobState.liveSQLList)
            UNION ALL
            SELECT unique_key, id, kind, state FROM herald_jobs
             WHERE unique_key = ANY($1::text[]) AND unique_key IS NOT NULL AND state IN ('failed', 'cancelled')
            """, [uniqueKeys]
        ).map { row in
            KeyedJob(
                uniqueKey: try row.decode(String.self, column: "unique_key"), id: try row.decode(Int64.self, column: "id"),
                kind: try row.decode(String.self, column: "kind"), state: try Self.state(row))
        }
    }

    private static func summary(_ row: PostgresRow) throws -> JobSummary {
        JobSummary(
            id: try row.decode(Int64.self, column: "id"), state: try state(row), kind: try row.decode(String.self, column: "kind"),
            queue: try row.decode(String.self, column: "queue"), priority: try row.decode(Int.self, column: "priority"),
            attempt: try row.decode(Int.self, column: "attempt"), maxAttempts: try row.decode(Int.self, column: "max_attempts"),
            createdAt: try row.decode(Date.self, column: "created_at"), runAt: try row.decode(Date.self, column: "run_at"),
            finishedAt: try row.decode(Date?.self, column: "finished_at"), lastError: try row.decode(String?.self, column: "last_error"))
    }
}
