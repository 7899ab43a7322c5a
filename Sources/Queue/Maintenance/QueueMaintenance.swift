import Postgres
import Synchronization

/// The queue's own leader work: rescue expired leases, stage due scheduled/retryable jobs,
/// prune old finished jobs, and report queue depth.
final class QueueMaintenance: PeriodicTask {
    let name = "queue maintenance"
    let interval: Duration
    /// How long the leader must have led before it rescues expired leases.
    let rescueGrace: Duration
    /// When this process took the lead (nil: not leading).
    let leadingSince: @Sendable () -> ContinuousClock.Instant?
    let retention: Duration?
    let failedRetention: Duration?
    let metrics: QueueMetrics
    /// When a run last failed: the database could not be reached from here.
    private let lastFailure = Mutex<ContinuousClock.Instant?>(nil)

    init(
        interval: Duration, rescueGrace: Duration, leadingSince: @escaping @Sendable () -> ContinuousClock.Instant?,
        retention: Duration?, failedRetention: Duration?, metrics: QueueMetrics
    ) {
        self.interval = interval
        self.rescueGrace = rescueGrace
        self.leadingSince = leadingSince
        self.retention = retention
        self.failedRetention = failedRetention
        self.metrics = metrics
    }

    func run(pool: PostgresPool) async throws {
        do {
            try await runOnce(pool: pool)
        } catch {
            lastFailure.withLock { $0 = .now }
            throw error
        }
    }

    /// Whether expired leases may be taken back now. Not until this process has led, and reached
    /// the database, for `rescueGrace`: a leader that has just taken the lead (at start, after a
    /// failover) or that was cut off itself (an outage of the database or of its own network,
    /// which the lease row may outlast) first gives live workers the time to reconnect and renew
    /// their leases or write their outcomes, so their jobs need not run again.
    private var mayRescue: Bool {
        guard let since = leadingSince() else { return false }
        let now = ContinuousClock.now
        guard now - since >= rescueGrace else { return false }
        if let failed = lastFailure.withLock({ $0 }), now - failed < rescueGrace { return false }
        return true
    }

    private func runOnce(pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            // Rescue before staging so a rescued job is runnable in the same tick.
            if mayRescue {
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
