public import Postgres

/// The queue's own leader work: rescue expired leases, stage due scheduled/retryable jobs,
/// prune old finished jobs, and report queue depth.
struct QueueMaintenance: PeriodicTask {
    let name = "queue maintenance"
    let interval: Duration
    /// How long the leader must have led before it rescues expired leases.
    let rescueGrace: Duration
    /// When this process took the lead (nil: not leading).
    let leadingSince: @Sendable () -> ContinuousClock.Instant?
    let retention: Duration?
    let failedRetention: Duration?
    let metrics: QueueMetrics

    func run(pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            // Rescue before staging so a rescued job is runnable in the same tick.
            // A leader that has just taken the lead (at start, after a failover, or after a database
            // outage that cost every process its connection) first gives live workers the time to
            // reconnect and renew their leases or write their outcomes: their jobs need not run again.
            if let since = leadingSince(), ContinuousClock.now - since >= rescueGrace {
                try await connection.query(QueueSQL.rescue)
            }
            try await connection.query(QueueSQL.stage)
            if let retention {
                try await connection.query(QueueSQL.prune, [["completed", "cancelled"], retention.seconds])
            }
            if let failedRetention {
                try await connection.query(QueueSQL.prune, [["failed"], failedRetention.seconds])
            }
            var depths: [QueueMetrics.DepthKey: Int] = [:]
            for row in try await connection.query(QueueSQL.depth) {
                depths[.init(queue: try row.decode(String.self, column: "queue"), state: try row.decode(String.self, column: "state"))] =
                    try row.decode(Int.self, column: "jobs")
            }
            metrics.depths(depths)
        }
    }
}
