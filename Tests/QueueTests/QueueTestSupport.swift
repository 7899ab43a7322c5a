import Foundation
import HeraldTestSupport
import Logging
import Postgres
import Queue
import ServiceLifecycle
import Synchronization

/// Runs a JobWorker inside a ServiceGroup for the duration of `body`, then shuts it down gracefully.
func withWorker<T: Sendable>(
    _ db: TestDatabase, registry: JobHandlerRegistry, configuration: WorkerConfiguration,
    periodicTasks: [any PeriodicTask] = [], connection: PostgresConfiguration? = nil, logger: Logger = Logger(label: "test.worker"),
    _ body: (JobWorker, PostgresPool) async throws -> T
) async throws -> T {
    let pool = PostgresPool(configuration: connection ?? db.configuration, pool: .init(maximumConnections: 8, checkoutTimeout: TestDatabase.poolCheckoutTimeout))
    let worker = JobWorker(pool: pool, registry: registry, configuration: configuration, periodicTasks: periodicTasks, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [.init(service: worker)], logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        let value: T
        do {
            value = try await body(worker, pool)
        } catch {
            await group.triggerGracefulShutdown()
            while try await tasks.next() != nil {}
            await pool.close()
            throw error
        }
        await group.triggerGracefulShutdown()
        while try await tasks.next() != nil {}
        await pool.close()
        return value
    }
}

/// Fast settings for tests.
func testConfiguration(queues: [String: Int] = ["default": 10], maintenance: Bool = true) -> WorkerConfiguration {
    WorkerConfiguration(
        queues: queues, claimBatchSize: 50, pollInterval: .milliseconds(200),
        // Long: on a busy machine a heartbeat can be late by seconds, and a rescue of a live
        // worker's job would make a test see attempt 2. Tests of rescue set their own.
        lease: .seconds(30),
        shutdownGracePeriod: .seconds(5), backoff: Backoff(base: .milliseconds(20), maximum: .milliseconds(100), jitter: 0.1),
        runsMaintenance: maintenance, maintenanceInterval: .milliseconds(100),
        // Long, so a busy machine that stalls a renewal for seconds does not hand the lead over
        // in the middle of a test; tests of failover set their own.
        leaderLease: .seconds(30), rescueGraceAfterLeading: .zero)
}


/// A thread-safe list for recording what handlers saw.
final class Recorder<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ item: T) { items.withLock { $0.append(item) } }
    var all: [T] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

func jobState(_ pool: PostgresPool, _ id: Int64) async throws -> String {
    try await pool.query("SELECT state FROM herald_jobs WHERE id = $1", [id])[0].decode(String.self, at: 0)
}

func count(_ pool: PostgresPool, state: String, kind: String? = nil) async throws -> Int {
    try await pool.query(
        "SELECT count(*) FROM herald_jobs WHERE state = $1 AND ($2::text IS NULL OR kind = $2)", [state, kind]
    )[0].decode(Int.self, at: 0)
}
