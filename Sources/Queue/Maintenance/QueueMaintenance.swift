public import Postgres

/// The queue's own leader work: rescue expired leases, stage due scheduled/retryable jobs,
/// prune old finished jobs, and report queue depth.
struct QueueMaintenance: PeriodicTask {
    let name = "queue maintenance"
    let interval: Duration
    let rescueGrace: Duration
    let retention: Duration?
    let failedRetention: Duration?
    let metrics: QueueMetrics

    func run(pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            // Rescue before staging so a rescued job is runnable in the same tick.
            try await connection.query(QueueSQL.rescue, [rescueGrace.seconds])
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
