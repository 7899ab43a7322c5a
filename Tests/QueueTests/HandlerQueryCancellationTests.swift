import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// A handler stuck in a long query is stopped by its timeout and by the end of the shutdown grace
/// period: the worker cancels the handler's task, and that cancels the statement on the server.
@Suite("Job timeouts and shutdown cancel a handler's running query")
struct HandlerQueryCancellationTests {
    /// Whether any backend of this database runs `pg_sleep`.
    private static func sleeping(_ pool: PostgresPool) async throws -> Bool {
        try await pool.query("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep%'
            """)[0].decode(Int.self, at: 0) > 0
    }

    @Test func aTimedOutHandlersQueryIsCancelledAndTheJobRetried() async throws {
        try await withTestDatabase("hqtimeout") { db in
            let handlerPool = db.pool(maximumConnections: 2)
            var registry = JobHandlerRegistry()
            registry.register("slow.query", timeout: .milliseconds(500)) { job in
                if job.attempt == 1 { try await handlerPool.query("SELECT pg_sleep(60)") }
                return .completed
            }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let queue = JobQueue(pool: pool)
                let started = ContinuousClock.now
                let id = try await queue.enqueue(JobRequest(kind: "slow.query"))
                #expect(await eventually { try await jobState(pool, id) == "completed" })
                let elapsed = ContinuousClock.now - started
                print("HandlerQueryCancellationTests: a job whose query outlived its 0.5 s timeout completed on retry after \(elapsed)")
                // Without cancellation the first attempt would hold its connection for the full 60 s.
                #expect(elapsed < .seconds(20) * testLoadFactor)
                let job = try #require(try await queue.job(id: id))
                #expect(job.attempt == 2)
                #expect(job.errors.first?.error.contains("timed out") == true)
                #expect(try await !Self.sleeping(pool))
            }
            await handlerPool.close()
        }
    }

    @Test func shutdownCancelsAHandlersQueryAfterTheGracePeriod() async throws {
        try await withTestDatabase("hqshutdown") { db in
            let handlerPool = db.pool(maximumConnections: 2)
            let observer = db.pool(maximumConnections: 1)
            var registry = JobHandlerRegistry()
            registry.register("stuck.query") { _ in
                try await handlerPool.query("SELECT pg_sleep(60)")
                return .completed
            }
            var configuration = testConfiguration()
            configuration.shutdownGracePeriod = .milliseconds(300)
            let id = try await JobQueue(pool: observer).enqueue(JobRequest(kind: "stuck.query"))
            let started = ContinuousClock.now
            try await withWorker(db, registry: registry, configuration: configuration) { _, _ in
                #expect(await eventually { try await Self.sleeping(observer) })
            }  // graceful shutdown: 0.3 s of grace, then the handler is cancelled
            let elapsed = ContinuousClock.now - started
            print("HandlerQueryCancellationTests: shutdown with a handler stuck in pg_sleep(60) took \(elapsed)")
            #expect(elapsed < .seconds(20) * testLoadFactor)
            #expect(try await !Self.sleeping(observer))
            #expect(try await jobState(observer, id) == "available")  // released, to run again
            await handlerPool.close()
            await observer.close()
        }
    }
}
