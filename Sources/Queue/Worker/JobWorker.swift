public import Logging
public import Postgres
public import ServiceLifecycle
import Synchronization

/// `herald work`: claims jobs from PostgreSQL and runs their handlers.
///
/// Runs as a ServiceLifecycle `Service`. On graceful shutdown (SIGTERM/SIGINT through the
/// ServiceGroup) it stops claiming, lets in-flight jobs finish within the grace period, releases
/// the rest back to the queue, writes every outcome, and returns.
public final class JobWorker: Service, Sendable {
    let core: JobWorkerCore
    private let runners: [QueueRunner]
    private let elector: LeaderElector?
    private let periodicTasks: [any PeriodicTask]

    /// Where the LISTEN and leader connections go: `directConfiguration`, or the pool's.
    private let directConfiguration: PostgresConfiguration

    /// - Parameters:
    ///   - pool: the database; size it at least `queues.count + 2`.
    ///   - directConfiguration: a direct connection to the same database for the two session-bound
    ///     connections (LISTEN, leader election), when `pool` goes through a transaction pooler
    ///     such as PgBouncer. Nil: the pool's own configuration.
    ///   - periodicTasks: extra leader-only tasks (the queue's own maintenance is always included).
    public init(
        pool: PostgresPool, registry: JobHandlerRegistry, configuration: WorkerConfiguration = WorkerConfiguration(),
        directConfiguration: PostgresConfiguration? = nil,
        periodicTasks: [any PeriodicTask] = [], logger: Logger = Logger(label: "herald.worker")
    ) {
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        let core = JobWorkerCore(pool: pool, registry: registry, configuration: configuration, logger: logger)
        self.core = core
        self.runners = configuration.queues.sorted { $0.key < $1.key }.map {
            QueueRunner(queue: $0.key, concurrency: $0.value, worker: core)
        }
        let direct = directConfiguration ?? pool.connectionConfiguration
        self.directConfiguration = direct
        let elector = configuration.runsMaintenance
            ? LeaderElector(configuration: direct, leaderID: configuration.workerID, lease: configuration.leaderLease, logger: logger)
            : nil
        self.elector = elector
        self.periodicTasks = [
            QueueMaintenance(
                interval: configuration.maintenanceInterval, rescueGrace: configuration.rescueGraceAfterLeading,
                leadingSince: { elector?.leadingSince },
                retention: configuration.retention,
                failedRetention: configuration.failedRetention, metrics: core.metrics)
        ] + periodicTasks
    }

    /// True while this process holds the maintenance leadership.
    public var isLeader: Bool { elector?.isLeader ?? false }

    /// This worker's id, as written to `locked_by`.
    public var workerID: String { core.configuration.workerID }

    public func run() async throws {
        core.logger.info("worker starting", metadata: [
            "queues": "\(core.configuration.queues)", "kinds": "\(core.registry.kinds.joined(separator: ","))",
        ])
        if directConfiguration.pooler == .transaction {
            // `herald work` refuses this; a library user may not know that LISTEN needs a session.
            core.logger.info("LISTEN and leader election go through a transaction pooler and will not work: pass directConfiguration")
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                background.addTask { await self.listen() }
                background.addTask { await self.core.completer.run() }
                background.addTask { await self.heartbeat() }
                background.addTask { await self.watchdog() }
                if elector != nil {
                    background.addTask { await self.elect() }
                    background.addTask { await self.maintain() }
                }

                await withDiscardingTaskGroup { group in
                    for runner in runners { group.addTask { await runner.run() } }
                }
                // Every runner has stopped and its jobs have finished or been cancelled.
                await core.completer.flush()
                background.cancelAll()
            }
            await core.completer.flush()
            await elector?.resign()
            core.logger.info("worker stopped")
        } onGracefulShutdown: {
            self.core.logger.info("shutdown requested: no new claims, finishing in-flight jobs")
            for runner in self.runners { runner.stop() }
        }
    }

    /// Wakes the runners of the queues named in each NOTIFY (all of them on (re)connect).
    private func listen() async {
        let listener = PostgresListener(configuration: directConfiguration, channels: ["herald_jobs"], logger: core.logger)
        let byQueue = Dictionary(uniqueKeysWithValues: runners.map { ($0.queue, $0) })
        for await event in listener.events() {
            switch event {
            case .listening:
                runners.forEach { $0.wake.signal() }
            case .notification(let note):
                if note.payload.isEmpty {
                    runners.forEach { $0.wake.signal() }
                } else {
                    for queue in note.payload.split(separator: ",") { byQueue[String(queue)]?.wake.signal() }
                }
            }
            if Task.isCancelled { break }
        }
    }

    /// Renews the leases of the jobs this worker holds (running, or finished with the outcome not
    /// yet written) every third of the lease; after a failure, every second until it works again.
    private func heartbeat() async {
        let interval = core.configuration.lease / 3
        var failures = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: failures == 0 ? interval : min(interval, .seconds(1)))
            if Task.isCancelled { break }
            let ids = core.held.renewable
            guard !ids.isEmpty else { continue }
            do {
                try await core.pool.query(QueueSQL.heartbeat, [ids, core.configuration.workerID, core.configuration.lease.seconds])
                if failures > 0 {
                    core.logger.notice("heartbeat works again", metadata: ["failed_attempts": "\(failures)", "jobs": "\(ids.count)"])
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 {
                    core.logger.warning("heartbeat failed; retrying every second", metadata: ["error": "\(error)", "jobs": "\(ids.count)"])
                }
            }
        }
    }

    private func watchdog() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            core.inFlight.cancelOverdue()
        }
    }

    /// Takes or renews the leader lease every third of it. A task of its own, so a periodic task
    /// that runs long (or hangs on a silent network) cannot make the lease lapse.
    private func elect() async {
        guard let elector else { return }
        while !Task.isCancelled {
            await elector.check()
            try? await Task.sleep(for: elector.attemptInterval)
        }
    }

    /// Runs the leader's periodic tasks while this process leads.
    private func maintain() async {
        guard let elector else { return }
        var lastRun: [String: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            elector.noteExpiry()
            if elector.isLeader {
                let now = ContinuousClock.now
                for task in periodicTasks where elector.isLeader && lastRun[task.name].map({ now - $0 >= task.interval }) ?? true {
                    lastRun[task.name] = now
                    do {
                        try await task.run(pool: core.pool)
                    } catch {
                        core.logger.warning("periodic task failed", metadata: ["task": "\(task.name)", "error": "\(error)"])
                    }
                }
            }
            try? await Task.sleep(for: min(core.configuration.maintenanceInterval, .seconds(1)))
        }
    }
}
