import ArgumentParser
import DevTools
import Foundation
import Logging
import Postgres
import Queue
import ServiceLifecycle
import Synchronization

/// `herald bench queue`: bulk enqueue, processing throughput, and enqueue-to-start latency.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Enqueue and process no-op jobs; measure throughput and latency.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Jobs to enqueue and process.") var jobs: Int = 100_000
    @Option(name: .long, help: "Worker processes (1 runs the worker in this process).") var processes: Int = 1
    @Option(name: .long, help: "Concurrent jobs per process.") var concurrency: Int = 1_000
    @Option(name: .long, help: "Most jobs per claim.") var claimBatch: Int = 1_000
    @Option(name: .long, help: "Single jobs for the latency measurement.") var latencySamples: Int = 500
    @Flag(name: .long, help: "Print one JSON object.") var json = false

    func validate() throws {
        guard jobs > 0, processes > 0, concurrency > 0, claimBatch > 0, latencySamples > 0 else {
            throw ValidationError("--jobs, --processes, --concurrency, --claim-batch and --latency-samples must be positive")
        }
    }

    func run() async throws {
        let database = try await BenchDatabase.open(global)
        defer { database.close() }
        let logger = database.logger
        let pool = database.makePool(maximumConnections: 8)
        let queue = JobQueue(pool: pool)
        try await pool.query("DELETE FROM herald_jobs WHERE queue IN ('bench', 'bench-latency')")
        try await pool.query("VACUUM ANALYZE herald_jobs")

        // 1. Bulk enqueue.
        let requests = (0..<jobs).map { _ in JobRequest(kind: "herald.noop", queue: "bench") }
        let clock = ContinuousClock()
        let enqueueStart = clock.now
        let inserted = try await queue.enqueueMany(requests)
        let enqueueSeconds = (clock.now - enqueueStart).seconds
        guard inserted == jobs else { throw ValidationError("inserted \(inserted) of \(jobs) jobs") }

        // 2. Processing.
        let processStart = clock.now
        if processes == 1 {
            try await processInProcess(pool: pool, logger: logger)
        } else {
            try await processWithChildren(database: database, pool: pool)
        }
        let processSeconds = (clock.now - processStart).seconds

        // 3. Latency on an idle queue.
        let latencies = try await measureLatency(pool: pool, logger: logger)
        try await pool.query("DELETE FROM herald_jobs WHERE queue IN ('bench', 'bench-latency')")
        await pool.close()

        let result: [String: Any] = [
            "jobs": jobs, "processes": processes, "concurrency": concurrency, "claim_batch": claimBatch,
            "enqueue_seconds": enqueueSeconds, "enqueue_jobs_per_s": Double(jobs) / enqueueSeconds,
            "process_seconds": processSeconds, "process_jobs_per_s": Double(jobs) / processSeconds,
            "latency_samples": latencies.count,
            "latency_p50_ms": percentile(latencies, 50), "latency_p99_ms": percentile(latencies, 99),
            "latency_max_ms": latencies.last ?? 0,
        ]
        if json {
            try printJSON(result)
        } else {
            print("""
                jobs:              \(jobs) (\(processes) process(es), concurrency \(concurrency), claim batch \(claimBatch))
                bulk enqueue:      \(Int(Double(jobs) / enqueueSeconds)) jobs/s (\(String(format: "%.2f", enqueueSeconds)) s)
                process:           \(Int(Double(jobs) / processSeconds)) jobs/s (\(String(format: "%.2f", processSeconds)) s)
                enqueue→start:     p50 \(String(format: "%.2f", percentile(latencies, 50))) ms, p99 \(String(format: "%.2f", percentile(latencies, 99))) ms (\(latencies.count) single jobs)
                """)
        }
    }

    private func completed(_ pool: PostgresPool, queue: String) async throws -> Int {
        try await pool.query("SELECT count(*) FROM herald_jobs WHERE queue = $1 AND state = 'completed'", [queue])[0].decode(Int.self, at: 0)
    }

    private func configuration(queue: String) -> WorkerConfiguration {
        WorkerConfiguration(queues: [queue: concurrency], claimBatchSize: claimBatch, pollInterval: .seconds(1), runsMaintenance: false)
    }

    private func processInProcess(pool: PostgresPool, logger: Logger) async throws {
        let done = Atomic<Int>(0)
        let target = jobs
        let finished = AsyncStream<Void>.makeStream()
        var registry = JobHandlerRegistry()
        registry.register("herald.noop") { _ in
            if done.add(1, ordering: .relaxed).newValue == target { finished.continuation.yield() }
            return .completed
        }
        let worker = JobWorker(pool: pool, registry: registry, configuration: configuration(queue: "bench"), logger: logger)
        try await withWorkerRunning(worker, logger: logger) {
            for await _ in finished.stream { break }
            // Handlers are done; wait for the group commit of the last outcomes.
            while try await completed(pool, queue: "bench") < jobs { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    private func processWithChildren(database: BenchDatabase, pool: PostgresPool) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = database.configuration.connectionString
        environment["HERALD_LOG_LEVEL"] = "warning"
        environment["HERALD_SANDBOX"] = "1"  // no provider credentials needed for herald.noop
        let children = try (0..<processes).map { _ in
            try ChildProcess.spawn(TempDBCommand.executablePath(), [
                "work", "--queues", "bench:\(concurrency)", "--claim-batch", "\(claimBatch)", "--no-maintenance",
            ], environment: environment)
        }
        while try await completed(pool, queue: "bench") < jobs {
            if let status = children.lazy.compactMap({ $0.exitStatusIfExited() }).first {
                children.forEach { $0.send(SIGTERM) }
                throw ValidationError("a herald work process exited early (status \(status)); run it by hand to see why")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        for child in children { child.send(SIGTERM) }
        for child in children { _ = await child.exitStatus() }
    }

    /// Enqueues single jobs one at a time onto an idle queue; returns sorted latencies in ms.
    private func measureLatency(pool: PostgresPool, logger: Logger) async throws -> [Double] {
        let starts = Mutex<[Int64: ContinuousClock.Instant]>([:])
        let clock = ContinuousClock()
        var registry = JobHandlerRegistry()
        registry.register("herald.noop") { job in
            starts.withLock { $0[job.id] = clock.now }
            return .completed
        }
        let worker = JobWorker(pool: pool, registry: registry, configuration: configuration(queue: "bench-latency"), logger: logger)
        var latencies: [Double] = []
        let producer = try await PostgresConnection.connect(configuration: database(pool))
        try await withWorkerRunning(worker, logger: logger) {
            try await Task.sleep(for: .milliseconds(300))  // let the worker go idle and LISTEN
            let queue = JobQueue(pool: pool)
            for _ in 0..<latencySamples {
                let sent = clock.now
                let id = try await queue.enqueue(JobRequest(kind: "herald.noop", queue: "bench-latency"), on: producer)
                var started: ContinuousClock.Instant?
                let deadline = clock.now + .seconds(5)
                while started == nil && clock.now < deadline {
                    started = starts.withLock { $0[id] }
                    if started == nil { try await Task.sleep(for: .microseconds(200)) }
                }
                if let started { latencies.append((started - sent).seconds * 1000) }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        await producer.close()
        return latencies.sorted()
    }

    private func database(_ pool: PostgresPool) -> PostgresConfiguration { pool.connectionConfiguration }

    private func withWorkerRunning(_ worker: JobWorker, logger: Logger, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [.init(service: worker)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
