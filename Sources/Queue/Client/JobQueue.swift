public import Foundation
public import Postgres

/// The producer and admin side of the queue: enqueue (one, or many in one round trip), inspect,
/// retry and cancel. Enqueueing on a caller's connection inside its transaction means the job
/// exists if and only if that transaction commits.
public struct JobQueue: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// Enqueues one job on its own and returns its id (for a deduplicated `uniqueKey`, the id of
    /// the live job that already holds the key).
    @discardableResult
    public func enqueue(_ request: JobRequest) async throws -> Int64 {
        try await pool.withConnection { try await enqueue(request, on: $0) }
    }

    /// Enqueues one job on `connection`, inside whatever transaction it is in.
    @discardableResult
    public func enqueue(_ request: JobRequest, on connection: PostgresConnection) async throws -> Int64 {
        try await Self.enqueue(request, on: connection)
    }

    /// Enqueues one job on `connection`, inside whatever transaction it is in, and returns its id
    /// (for a deduplicated `uniqueKey`, the id of the live job that already holds the key). For
    /// callers that hold a connection and no pool.
    @discardableResult
    public static func enqueue(_ request: JobRequest, on connection: PostgresConnection) async throws -> Int64 {
        try request.validate()
        let rows = try await connection.query(QueueSQL.enqueue, [
            request.kind, request.args, request.priority, request.runAt, request.uniqueKey, request.maxAttempts, request.queue,
        ])
        return try rows[0].decode(Int64.self, column: "id")
    }

    /// Enqueues many jobs in one statement per 10,000; returns how many were inserted
    /// (jobs whose `uniqueKey` is already live are skipped).
    @discardableResult
    public func enqueueMany(_ requests: [JobRequest], on connection: PostgresConnection? = nil) async throws -> Int {
        if let connection { return try await Self.enqueueMany(requests, on: connection) }
        return try await pool.withConnection { try await Self.enqueueMany(requests, on: $0) }
    }

    /// Enqueues many jobs on `connection`, inside whatever transaction it is in; returns how many
    /// were inserted (jobs whose `uniqueKey` is already live are skipped).
    @discardableResult
    public static func enqueueMany(_ requests: [JobRequest], on connection: PostgresConnection) async throws -> Int {
        for request in requests { try request.validate() }
        var inserted = 0
        var start = 0
        while start < requests.count {
            let chunk = requests[start..<min(start + 10_000, requests.count)]
            let rows = try await connection.query(QueueSQL.enqueueMany, [
                chunk.map(\.kind), chunk.map(\.args), chunk.map(\.priority), chunk.map(\.runAt), chunk.map(\.uniqueKey),
                chunk.map(\.maxAttempts), chunk.map(\.queue),
            ])
            inserted += try rows[0].decode(Int.self, column: "inserted")
            start += chunk.count
        }
        return inserted
    }

    /// ``enqueueAttempted(_:attemptedBy:on:)`` in a transaction of its own.
    @discardableResult
    public func enqueueAttempted(_ jobs: [AttemptedJob], attemptedBy: String) async throws -> [Int64?] {
        try await pool.transaction { try await Self.enqueueAttempted(jobs, attemptedBy: attemptedBy, on: $0) }
    }

    /// Records jobs whose first attempt the caller made itself, outside a worker (the inline first
    /// email attempt of `notification.route`), each in the state a worker leaves a job in after the
    /// same outcome: the same attempt count, error history entry (`worker` is `attemptedBy`),
    /// backoff, `finished_at` and `max_attempts` rule, since the rows are inserted like any job,
    /// claimed like any job and settled by the worker's own statements. A job whose `uniqueKey` a
    /// live job holds is skipped, as by ``enqueue(_:on:)``.
    ///
    /// Run it inside the caller's transaction: it takes a few statements (one insert per job, one
    /// claim, one settle), and the rows should appear with the caller's own writes or not at all.
    /// Returns the ids recorded, in the order of `jobs`; nil for a skipped one.
    @discardableResult
    public static func enqueueAttempted(_ jobs: [AttemptedJob], attemptedBy: String, on connection: PostgresConnection) async throws -> [Int64?] {
        for job in jobs { try job.request.validate() }
        var ids: [Int64?] = []
        for job in jobs {
            let request = job.request
            let rows = try await connection.query(QueueSQL.insertOne, [
                request.kind, request.args, request.priority, request.runAt, request.uniqueKey, request.maxAttempts, request.queue,
            ])
            ids.append(try rows.first?.decode(Int64.self, column: "id"))
        }
        var recorded: [JobOutcome] = []
        for (job, id) in zip(jobs, ids) {
            guard let id else { continue }
            var outcome = job.outcome
            outcome.id = id
            recorded.append(outcome)
        }
        guard !recorded.isEmpty else { return ids }
        // Settled in the same transaction, so the lease only has to outlast these statements.
        try await connection.query(QueueSQL.claimInserted, [recorded.map(\.id), attemptedBy, 60.0])
        let completed = recorded.filter { $0.action == .complete }
        let settled = recorded.filter { $0.action != .complete }
        if !completed.isEmpty {
            try await connection.query(QueueSQL.complete, [completed.map(\.id), attemptedBy])
        }
        if !settled.isEmpty {
            try await connection.query(QueueSQL.settle, [
                settled.map(\.id), attemptedBy, settled.map(\.action.rawValue), settled.map(\.error), settled.map(\.runAt),
            ])
        }
        return ids
    }

    /// One job, or nil.
    public func job(id: Int64) async throws -> JobRecord? {
        try await pool.query("SELECT \(QueueSQL.jobColumns) FROM herald_jobs WHERE id = $1", [id]).first.map(JobRecord.init)
    }

    /// Jobs filtered by state and kind, newest first.
    public func list(state: JobState? = nil, kind: String? = nil, limit: Int = 50) async throws -> [JobRecord] {
        try await pool.query(
            """
            SELECT \(QueueSQL.jobColumns) FROM herald_jobs
             WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
             ORDER BY id DESC LIMIT $3
            """, [state?.rawValue, kind, limit]
        ).map(JobRecord.init)
    }

    /// Re-queues a failed, cancelled, retryable or scheduled job now, with `extraAttempts` more
    /// attempts. Returns false when no such job is in one of those states.
    @discardableResult
    public func retry(id: Int64, extraAttempts: Int = 1) async throws -> Bool {
        let rows = try await pool.query("SELECT coalesce(herald_retry_job($1, $2::int), false) AS ok", [id, extraAttempts])
        return try rows[0].decode(Bool.self, column: "ok")
    }

    /// Re-queues failed jobs (optionally of one kind and failed in a window); returns the count.
    @discardableResult
    public func retryFailed(kind: String? = nil, since: Date? = nil, until: Date? = nil, extraAttempts: Int = 1) async throws -> Int {
        let rows = try await pool.query(
            "SELECT herald_retry_failed_jobs($1, coalesce($2, '-infinity'::timestamptz), coalesce($3, 'infinity'::timestamptz), $4::int) AS n",
            [kind, since, until, extraAttempts])
        return try rows[0].decode(Int.self, column: "n")
    }

    /// Cancels a job that has not finished. Returns false when it already finished or does not exist.
    @discardableResult
    public func cancel(id: Int64) async throws -> Bool {
        let rows = try await pool.query("SELECT coalesce(herald_cancel_job($1), false) AS ok", [id])
        return try rows[0].decode(Bool.self, column: "ok")
    }

    /// Counts per queue and state (from the `herald_queue_stats` view).
    public func stats() async throws -> [QueueStat] {
        try await pool.query("SELECT queue, state, jobs, max_wait_seconds FROM herald_queue_stats ORDER BY queue, state").map { row in
            QueueStat(
                queue: try row.decode(String.self, column: "queue"),
                state: JobState(rawValue: try row.decode(String.self, column: "state")) ?? .available,
                jobs: try row.decode(Int.self, column: "jobs"),
                maxWaitSeconds: try row.decode(Double?.self, column: "max_wait_seconds"))
        }
    }
}
