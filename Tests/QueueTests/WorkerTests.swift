import Foundation
import HeraldTestSupport
import Logging
import Postgres
@testable import Queue
import Testing

@Suite("The worker pool")
struct WorkerTests {
    @Test func runsJobsInPriorityOrder() async throws {
        try await withTestDatabase("prio") { db in
            let order = Recorder<Int>()
            var registry = JobHandlerRegistry()
            registry.register("record") { job in
                order.append(job.priority)
                return .completed
            }
            let setup = db.pool(maximumConnections: 1)
            let queue = JobQueue(pool: setup)
            // Enqueued low first, so insertion order alone would be wrong.
            for priority in [3, 3, 2, 1, 0, 2, 0, 1] {
                try await queue.enqueue(JobRequest(kind: "record", priority: priority))
            }
            try await withWorker(db, registry: registry, configuration: testConfiguration(queues: ["default": 1])) { _, pool in
                #expect(await eventually { try await count(pool, state: "completed") == 8 })
            }
            #expect(order.all == [0, 0, 1, 1, 2, 2, 3, 3])
            await setup.close()
        }
    }

    @Test func respectsRunAt() async throws {
        try await withTestDatabase("runat") { db in
            let started = Recorder<Date>()
            var registry = JobHandlerRegistry()
            registry.register("later") { _ in
                started.append(Date())
                return .completed
            }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let runAt = Date().addingTimeInterval(1.5)
                try await JobQueue(pool: pool).enqueue(JobRequest(kind: "later", runAt: runAt))
                let state = try await jobState(pool, 1)
                // On a loaded machine the check itself can come after run_at; only then may it have moved on.
                if Date() < runAt { #expect(state == "scheduled") }
                #expect(await eventually { started.count == 1 })
                #expect(try #require(started.all.first) >= runAt)
            }
        }
    }

    @Test func permanentFailureGoesStraightToFailed() async throws {
        try await withTestDatabase("perm") { db in
            var registry = JobHandlerRegistry()
            registry.register("bad.address") { _ in throw PermanentJobError("recipient address is invalid") }
            registry.register("fail.result") { _ in .fail(reason: "406 inactive recipient") }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let queue = JobQueue(pool: pool)
                let a = try await queue.enqueue(JobRequest(kind: "bad.address"))
                let b = try await queue.enqueue(JobRequest(kind: "fail.result"))
                #expect(await eventually { try await count(pool, state: "failed") == 2 })
                let jobA = try #require(try await queue.job(id: a))
                #expect(jobA.attempt == 1)
                #expect(jobA.errors.map(\.error) == ["recipient address is invalid"])
                #expect(jobA.finishedAt != nil)
                let jobB = try #require(try await queue.job(id: b))
                #expect(jobB.errors.map(\.error) == ["406 inactive recipient"])
            }
        }
    }

    @Test func retriesWithBackoffThenFailsKeepingTheHistory() async throws {
        try await withTestDatabase("retry") { db in
            let attempts = Recorder<(Int, Date)>()
            var registry = JobHandlerRegistry()
            struct Flaky: Error, CustomStringConvertible { var n: Int; var description: String { "provider said 500 (try \(n))" } }
            registry.register("always.fails") { job in
                attempts.append((job.attempt, Date()))
                throw Flaky(n: job.attempt)
            }
            var configuration = testConfiguration()
            configuration.backoff = Backoff(base: .milliseconds(200), maximum: .seconds(5), jitter: 0)
            configuration.maintenanceInterval = .milliseconds(20)
            try await withWorker(db, registry: registry, configuration: configuration) { _, pool in
                let queue = JobQueue(pool: pool)
                let id = try await queue.enqueue(JobRequest(kind: "always.fails", maxAttempts: 3))
                #expect(await eventually { try await jobState(pool, id) == "failed" })
                let job = try #require(try await queue.job(id: id))
                #expect(job.attempt == 3)
                #expect(job.errors.map(\.attempt) == [1, 2, 3])
                #expect(job.errors.map(\.error) == (1...3).map { "provider said 500 (try \($0))" })
                #expect(job.errors.allSatisfy { $0.worker != nil })
                let times = attempts.all.map(\.1)
                try #require(times.count == 3)
                // Backoff 200 ms then 400 ms (no jitter): each gap at least the nominal delay.
                #expect(times[1].timeIntervalSince(times[0]) >= 0.2)
                #expect(times[2].timeIntervalSince(times[1]) >= 0.4)
            }
        }
    }

    @Test func snoozeDoesNotCountAnAttempt() async throws {
        try await withTestDatabase("snooze") { db in
            var registry = JobHandlerRegistry()
            let runs = Recorder<Int>()
            registry.register("counted") { job in
                runs.append(job.attempt)
                return runs.count < 3 ? .snooze(.milliseconds(50)) : .completed
            }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let id = try await JobQueue(pool: pool).enqueue(JobRequest(kind: "counted", maxAttempts: 1))
                #expect(await eventually { try await jobState(pool, id) == "completed" })
                #expect(runs.all == [1, 1, 1])
            }
        }
    }

    @Test func timeoutCancelsTheAttemptAndRetries() async throws {
        try await withTestDatabase("timeout") { db in
            var registry = JobHandlerRegistry()
            registry.register("slow", timeout: .milliseconds(200)) { job in
                if job.attempt == 1 { try await Task.sleep(for: .seconds(30)) }
                return .completed
            }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let queue = JobQueue(pool: pool)
                let id = try await queue.enqueue(JobRequest(kind: "slow"))
                #expect(await eventually { try await jobState(pool, id) == "completed" })
                let job = try #require(try await queue.job(id: id))
                #expect(job.attempt == 2)
                #expect(job.errors.first?.error.contains("timed out") == true)
            }
        }
    }

    @Test func unknownKindIsRetriedWithBackoffUntilAWorkerThatKnowsItRunsIt() async throws {
        try await withTestDatabase("unknown") { db in
            // An older worker during a rolling deploy: it knows "known", not the new kind.
            var old = JobHandlerRegistry()
            old.register("known") { _ in .completed }
            var configuration = testConfiguration()
            configuration.backoff = Backoff(base: .seconds(60), jitter: 0)
            let unknown = try await withWorker(db, registry: old, configuration: configuration) { _, pool in
                let queue = JobQueue(pool: pool)
                let unknown = try await queue.enqueue(JobRequest(kind: "nobody.handles.this"))
                let known = try await queue.enqueue(JobRequest(kind: "known"))
                #expect(await eventually { try await jobState(pool, known) == "completed" })
                #expect(await eventually { try await jobState(pool, unknown) == "retryable" })
                let job = try #require(try await queue.job(id: unknown))
                #expect(job.attempt == 1)
                #expect(job.finishedAt == nil)
                #expect(job.errors.map(\.error) == ["no handler for kind 'nobody.handles.this' in this worker (knows: known)"])
                // The backoff of attempt 1, counted from the attempt.
                let attemptedAt = try #require(job.attemptedAt)
                #expect(job.runAt.timeIntervalSince(attemptedAt) >= 59.9)
                return unknown
            }
            // The newer worker knows the kind and runs it once the backoff has passed (moved to
            // now here rather than waited for).
            var new = JobHandlerRegistry()
            new.register("nobody.handles.this") { _ in .completed }
            try await withWorker(db, registry: new, configuration: configuration) { _, pool in
                try await pool.query("UPDATE herald_jobs SET run_at = now() WHERE id = $1 AND state = 'retryable'", [unknown])
                #expect(await eventually(timeout: .seconds(30)) { try await jobState(pool, unknown) == "completed" })
                let job = try #require(try await JobQueue(pool: pool).job(id: unknown))
                #expect(job.attempt == 2)
                #expect(job.errors.count == 1)
            }
        }
    }

    @Test func theUnknownKindMessageKeepsTheListShort() {
        let kinds = (1...12).map { "kind.\($0)" }.sorted()
        let message = JobWorkerCore.noHandler(for: "x", knownKinds: kinds)
        #expect(message == "no handler for kind 'x' in this worker (knows: \(kinds.prefix(8).joined(separator: ", ")) and 4 more)")
        #expect(JobWorkerCore.noHandler(for: "x", knownKinds: []) == "no handler for kind 'x' in this worker (knows: nothing)")
    }

    @Test func diagnosticKindsFailBadArgumentsPermanentlyWithAClearError() async throws {
        try await withTestDatabase("diagargs") { db in
            let registry = JobHandlerRegistry(DiagnosticHandlers.all(logger: Logger(label: "test")))
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let queue = JobQueue(pool: pool)
                let text = try await queue.enqueue(JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": "abc"}"#)))
                let negative = try await queue.enqueue(JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": -5}"#)))
                let fraction = try await queue.enqueue(JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": 1.5}"#)))
                let badFail = try await queue.enqueue(JobRequest(kind: "herald.fail", args: PostgresJSON(#"{"permanent": "yes"}"#)))
                let good = try await queue.enqueue(JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": 10}"#)))
                #expect(await eventually { try await jobState(pool, good) == "completed" })
                for id in [text, negative, fraction, badFail] {
                    #expect(await eventually { try await jobState(pool, id) == "failed" })
                    let job = try #require(try await queue.job(id: id))
                    #expect(job.attempt == 1, "job \(id) was retried")
                }
                func error(_ id: Int64) async throws -> String { try #require(try await queue.job(id: id)?.errors.first?.error) }
                #expect(try await error(text) == #"invalid args for kind 'herald.sleep': "ms" is not a number"#)
                #expect(try await error(negative)
                        == #"invalid args for kind 'herald.sleep': "ms": must be a whole number of milliseconds from 0 to 3600000, got -5"#)
                #expect(try await error(fraction)
                        == #"invalid args for kind 'herald.sleep': "ms": must be a whole number of milliseconds from 0 to 3600000, got 1.5"#)
                #expect(try await error(badFail) == #"invalid args for kind 'herald.fail': "permanent" is not true or false"#)
            }
        }
    }

    @Test func pruningRemovesOldFinishedJobsOnly() async throws {
        try await withTestDatabase("prune") { db in
            let setup = db.pool(maximumConnections: 1)
            try await setup.query("""
                INSERT INTO herald_jobs (kind, state, finished_at, run_at) VALUES
                  ('old', 'completed', now() - interval '2 hours', now()), ('old', 'cancelled', now() - interval '2 hours', now()),
                  ('recent', 'completed', now() - interval '10 minutes', now()), ('old', 'failed', now() - interval '2 hours', now()),
                  ('live', 'scheduled', NULL, now() + interval '1 hour')
                """)
            var configuration = testConfiguration()
            configuration.retention = .seconds(3600)
            try await withWorker(db, registry: JobHandlerRegistry(), configuration: configuration) { _, pool in
                #expect(await eventually {
                    try await pool.query("SELECT count(*) FROM herald_jobs WHERE kind = 'old' AND state <> 'failed'")[0].decode(Int.self, at: 0) == 0
                })
            }
            let left = try await setup.query("SELECT kind || ':' || state FROM herald_jobs ORDER BY 1")
            #expect(try left.map { try $0.decode(String.self, at: 0) } == ["live:scheduled", "old:failed", "recent:completed"])
            await setup.close()
        }
    }

    @Test func rescuerReturnsExpiredLeasesAndTheJobRunsAgain() async throws {
        try await withTestDatabase("rescue") { db in
            let setup = db.pool(maximumConnections: 1)
            try await setup.query("""
                INSERT INTO herald_jobs (kind, state, attempt, locked_by, lease_expires_at, attempted_at)
                VALUES ('orphan', 'running', 1, 'dead-worker', now() - interval '1 second', now() - interval '1 minute')
                """)
            var registry = JobHandlerRegistry()
            registry.register("orphan") { _ in .completed }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                #expect(await eventually { try await jobState(pool, 1) == "completed" })
            }
            let job = try #require(try await JobQueue(pool: setup).job(id: 1))
            #expect(job.attempt == 2)
            #expect(job.errors.first?.error.contains("lease expired") == true)
            #expect(job.errors.first?.worker == "dead-worker")
            await setup.close()
        }
    }

    @Test func ofTwoWorkersExactlyOneLeads() async throws {
        try await withTestDatabase("leader") { db in
            try await withWorker(db, registry: JobHandlerRegistry(), configuration: testConfiguration()) { first, _ in
                try await withWorker(db, registry: JobHandlerRegistry(), configuration: testConfiguration()) { second, _ in
                    #expect(await eventually { first.isLeader != second.isLeader })
                    try await Task.sleep(for: .milliseconds(400))
                    #expect(first.isLeader != second.isLeader)
                    #expect(first.isLeader || second.isLeader)
                }
            }
        }
    }

    @Test func cancelledRunningJobKeepsItsCancelledState() async throws {
        try await withTestDatabase("cancelrun") { db in
            var registry = JobHandlerRegistry()
            registry.register("long") { _ in
                try await Task.sleep(for: .milliseconds(600))
                return .completed
            }
            try await withWorker(db, registry: registry, configuration: testConfiguration()) { _, pool in
                let queue = JobQueue(pool: pool)
                let id = try await queue.enqueue(JobRequest(kind: "long"))
                #expect(await eventually { try await jobState(pool, id) == "running" })
                #expect(try await queue.cancel(id: id))
                try await Task.sleep(for: .milliseconds(900))
                #expect(try await jobState(pool, id) == "cancelled")
            }
        }
    }
}
