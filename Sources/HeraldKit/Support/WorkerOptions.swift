import ArgumentParser
import Foundation
import Logging
import Postgres
import Queue

/// `herald work` / `herald run` settings: flags, then environment, then defaults.
struct WorkerOptions: ParsableArguments {
    @Option(name: .long, help: "Queues and their concurrency, e.g. default:100,email:50 (env HERALD_QUEUES, default default:100).")
    var queues: String?

    @Option(name: .long, help: "Most jobs claimed per query (env HERALD_CLAIM_BATCH, default 500).")
    var claimBatch: Int?

    @Option(name: .long, help: "Poll fallback in milliseconds (env HERALD_POLL_INTERVAL_MS, default 1000).")
    var pollIntervalMs: Int?

    @Option(name: .long, help: "Job lease in seconds, renewed by heartbeat (env HERALD_LEASE_SECONDS, default 30).")
    var leaseSeconds: Double?

    @Option(name: .long, help: "Default per-attempt timeout in seconds (env HERALD_JOB_TIMEOUT_SECONDS, default 300).")
    var jobTimeoutSeconds: Double?

    @Option(name: .long, help: "Grace period for in-flight jobs on SIGTERM, seconds (env HERALD_SHUTDOWN_GRACE_SECONDS, default 25).")
    var shutdownGraceSeconds: Double?

    @Option(name: .long, help: "Keep completed/cancelled jobs this many hours (env HERALD_RETENTION_HOURS, default 168).")
    var retentionHours: Double?

    @Option(name: .long, help: "Delete failed jobs older than this many hours (env HERALD_FAILED_RETENTION_HOURS, default: keep them).")
    var failedRetentionHours: Double?

    @Option(name: .long, help: "Database connections in this process (env HERALD_DB_POOL_SIZE, default queues + 4).")
    var poolSize: Int?

    @Option(name: .long, help: "The maintenance leader's lease in seconds: failover after the leader dies or its network goes silent takes at most this plus a third (env HERALD_LEADER_LEASE_SECONDS, default 5).")
    var leaderLeaseSeconds: Double?

    @Option(name: .long, help: "The server cancels any statement of this worker's connections that runs longer, in seconds (env HERALD_STATEMENT_TIMEOUT_SECONDS, default: no limit).")
    var statementTimeoutSeconds: Double?

    @Flag(name: .long, help: "Never take part in leader election (no rescuer, stager, pruner or digest scheduler here).")
    var noMaintenance = false

    /// The worker's configuration: each flag, then its variable, then its default.
    func configuration(settings: Settings = .process) throws -> WorkerConfiguration {
        func number(_ flag: Double?, _ key: String, _ fallback: Double) throws -> Double {
            if let flag { return flag }
            return try settings.double(key, expected: "a non-negative number", where: { $0 >= 0 }) ?? fallback
        }
        let queueText = queues ?? settings.string("HERALD_QUEUES") ?? "default:100"
        var parsed: [String: Int] = [:]
        for part in queueText.split(separator: ",") {
            let pieces = part.split(separator: ":")
            guard let name = pieces.first.map(String.init), !name.isEmpty,
                  let concurrency = pieces.count > 1 ? Int(pieces[1]) : 100, concurrency > 0, pieces.count <= 2
            else { throw ValidationError("bad queue spec '\(part)': use name:concurrency, e.g. default:100,email:50") }
            parsed[name] = concurrency
        }
        guard !parsed.isEmpty else { throw ValidationError("no queues given: use e.g. --queues default:100") }
        var configuration = WorkerConfiguration(queues: parsed)
        configuration.claimBatchSize = max(1, Int(try number(claimBatch.map(Double.init), "HERALD_CLAIM_BATCH", 500)))
        configuration.pollInterval = .milliseconds(Int64(try number(pollIntervalMs.map(Double.init), "HERALD_POLL_INTERVAL_MS", 1000)))
        configuration.lease = .milliseconds(Int64(try number(leaseSeconds, "HERALD_LEASE_SECONDS", 30) * 1000))
        configuration.jobTimeout = .milliseconds(Int64(try number(jobTimeoutSeconds, "HERALD_JOB_TIMEOUT_SECONDS", 300) * 1000))
        configuration.shutdownGracePeriod = .milliseconds(Int64(try number(shutdownGraceSeconds, "HERALD_SHUTDOWN_GRACE_SECONDS", 25) * 1000))
        configuration.retention = .seconds(Int64(try number(retentionHours, "HERALD_RETENTION_HOURS", 168) * 3600))
        if failedRetentionHours != nil || settings.isSet("HERALD_FAILED_RETENTION_HOURS") {
            configuration.failedRetention = .seconds(Int64(try number(failedRetentionHours, "HERALD_FAILED_RETENTION_HOURS", 0) * 3600))
        }
        configuration.runsMaintenance = !noMaintenance
        guard configuration.lease >= .milliseconds(300) else { throw ValidationError("the lease must be at least 0.3 s") }
        let leaderLease = try number(leaderLeaseSeconds, "HERALD_LEADER_LEASE_SECONDS", 5)
        guard leaderLease >= 0.3 else { throw ValidationError("the leader lease must be at least 0.3 s (HERALD_LEADER_LEASE_SECONDS / --leader-lease-seconds)") }
        configuration.leaderLease = .milliseconds(Int64(leaderLease * 1000))
        return configuration
    }

    /// `--statement-timeout-seconds`, then `HERALD_STATEMENT_TIMEOUT_SECONDS`; nil (unset) leaves
    /// statements to the server's own `statement_timeout`.
    func statementTimeout(settings: Settings = .process) throws -> Duration? {
        guard let seconds = try statementTimeoutSeconds ?? settings.double("HERALD_STATEMENT_TIMEOUT_SECONDS", expected: "a number of seconds") else {
            return nil
        }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("the statement timeout must be a positive number of seconds") }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// `--pool-size`, then `HERALD_DB_POOL_SIZE`, default the number of queues + 4.
    func poolSize(for configuration: WorkerConfiguration, settings: Settings = .process) throws -> Int {
        try poolSize ?? settings.int("HERALD_DB_POOL_SIZE", expected: "a positive whole number", where: { $0 > 0 }) ?? configuration.queues.count + 4
    }

    /// The worker's connections to `database` (at most ``poolSize(for:settings:)``), with the
    /// ``statementTimeout(settings:)``.
    func makePool(database: PostgresConfiguration, for configuration: WorkerConfiguration, settings: Settings, logger: Logger) throws -> PostgresPool {
        var database = database
        database.statementTimeout = try statementTimeout(settings: settings)
        return PostgresPool(
            configuration: database, pool: .init(maximumConnections: try poolSize(for: configuration, settings: settings)), logger: logger)
    }
}
