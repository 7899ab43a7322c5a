import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// Wall-clock checks, run by `make test` after the parallel run (suites named "Timing").
@Suite("Worker wake-up timing")
struct WakeTimingTests {
    @Test func adminPlainUpdateWakesAnIdleWorkerWithinOneSecond() async throws {
        try await withTestDatabase("wake") { db in
            let ran = Recorder<Date>()
            var registry = JobHandlerRegistry()
            registry.register("requeued") { _ in
                ran.append(Date())
                return .completed
            }
            var configuration = testConfiguration(maintenance: false)
            configuration.pollInterval = .seconds(60)  // only NOTIFY can wake it in time
            let setup = db.pool(maximumConnections: 1)
            try await setup.query("""
                INSERT INTO herald_jobs (kind, state, attempt, max_attempts, finished_at, errors)
                VALUES ('requeued', 'failed', 3, 3, now(), '[{"attempt":3,"at":"t","error":"x"}]')
                """)
            try await withWorker(db, registry: registry, configuration: configuration) { _, _ in
                try await Task.sleep(for: .milliseconds(500))  // the worker is idle now
                let updated = Date()
                try await setup.query("UPDATE herald_jobs SET state = 'available', run_at = now() WHERE state = 'failed' AND kind = 'requeued'")
                #expect(await eventually(timeout: .seconds(3)) { ran.count == 1 })
                let latency = try #require(ran.all.first).timeIntervalSince(updated)
                #expect(latency < 1.0, "woke after \(latency) s")
            }
            // A plain UPDATE grants one more attempt (attempt 4 with max_attempts 3): success completes it.
            #expect(try await jobState(setup, 1) == "completed")
            await setup.close()
        }
    }

}
