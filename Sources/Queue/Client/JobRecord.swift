public import Foundation
public import Postgres

/// A full `herald_jobs` row, for admin tools.
public struct JobRecord: Sendable {
    public var id: Int64
    public var kind: String
    public var queue: String
    public var priority: Int
    public var state: JobState
    public var args: PostgresJSON
    public var attempt: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lockedBy: String?
    public var leaseExpiresAt: Date?
    public var errors: [JobErrorRecord]
    public var uniqueKey: String?
    public var createdAt: Date
    public var attemptedAt: Date?
    public var finishedAt: Date?

    init(row: PostgresRow) throws {
        id = try row.decode(Int64.self, column: "id")
        kind = try row.decode(String.self, column: "kind")
        queue = try row.decode(String.self, column: "queue")
        priority = try row.decode(Int.self, column: "priority")
        let stateText = try row.decode(String.self, column: "state")
        guard let state = JobState(rawValue: stateText) else {
            throw PostgresError(code: .decoding, message: "unknown job state \(stateText)", columnName: "state")
        }
        self.state = state
        args = try row.decode(PostgresJSON.self, column: "args")
        attempt = try row.decode(Int.self, column: "attempt")
        maxAttempts = try row.decode(Int.self, column: "max_attempts")
        runAt = try row.decode(Date.self, column: "run_at")
        lockedBy = try row.decode(String?.self, column: "locked_by")
        leaseExpiresAt = try row.decode(Date?.self, column: "lease_expires_at")
        errors = try row.decode(PostgresJSON.self, column: "errors").decode([JobErrorRecord].self)
        uniqueKey = try row.decode(String?.self, column: "unique_key")
        createdAt = try row.decode(Date.self, column: "created_at")
        attemptedAt = try row.decode(Date?.self, column: "attempted_at")
        finishedAt = try row.decode(Date?.self, column: "finished_at")
    }
}

/// One line of `herald_queue_stats`.
public struct QueueStat: Sendable, Hashable {
    public var queue: String
    public var state: JobState
    public var jobs: Int
    /// Seconds the oldest due, available job has waited (nil when none).
    public var maxWaitSeconds: Double?
}
