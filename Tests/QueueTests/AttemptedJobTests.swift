import Foundation
import HeraldTestSupport
import Postgres
@testable import Queue
import Testing

/// `JobQueue.enqueueAttempted` (an attempt made outside a worker, such as the inline first email
/// of `notification.route`) leaves the row a worker leaves after the same outcome.
@Suite("Attempts recorded outside a worker")
struct AttemptedJobTests {
    /// What a settled row says, without its ids and clock times.
    struct Shape: Equatable, CustomStringConvertible {
        var state: String
        var attempt: Int
        var maxAttempts: Int
        var unlocked: Bool
        var attempted: Bool
        var finished: Bool
        /// The error history without the `at` of each entry.
        var errors: String
        /// `run_at` - `attempted_at`: the backoff (600 s) or snooze (3,600 s). Compared within a
        /// minute: a loaded machine can run a claimed job's handler seconds after the claim.
        var runsAfterAttempt: Double
        /// `run_at` - `created_at`: zero when the outcome left `run_at` alone.
        var runsAfterCreation: Double
        /// `run_at` when it is the time the handler asked for.
        var runAt: Double

        static func == (a: Shape, b: Shape) -> Bool {
            a.state == b.state && a.attempt == b.attempt && a.maxAttempts == b.maxAttempts && a.unlocked == b.unlocked
                && a.attempted == b.attempted && a.finished == b.finished && a.errors == b.errors
                && (abs(a.runsAfterAttempt - b.runsAfterAttempt) < 60 || abs(a.runsAfterCreation - b.runsAfterCreation) < 60)
        }

        var description: String {
            "\(state) attempt \(attempt)/\(maxAttempts) unlocked \(unlocked) attempted \(attempted) finished \(finished) runs \(runsAfterAttempt) s after the attempt, \(runsAfterCreation) s after creation, errors \(errors)"
        }
    }

    static func shape(_ pool: PostgresPool, kind: String) async throws -> Shape {
        let row = try await pool.query(
            """
            SELECT state, attempt, max_attempts, locked_by IS NULL AND lease_expires_at IS NULL AS unlocked,
                   attempted_at IS NOT NULL AS attempted, finished_at IS NOT NULL AS finished,
                   coalesce((SELECT jsonb_agg(e - 'at' ORDER BY n) FROM jsonb_array_elements(errors) WITH ORDINALITY AS x(e, n)), '[]')::text AS errors,
                   extract(epoch FROM run_at - attempted_at)::float8 AS runs_after,
                   extract(epoch FROM run_at - created_at)::float8 AS runs_after_creation, extract(epoch FROM run_at)::float8 AS run_at
              FROM herald_jobs WHERE kind = $1
            """, [kind])[0]
        return Shape(
            state: try row.decode(String.self, column: "state"), attempt: try row.decode(Int.self, column: "attempt"),
            maxAttempts: try row.decode(Int.self, column: "max_attempts"), unlocked: try row.decode(Bool.self, column: "unlocked"),
            attempted: try row.decode(Bool.self, column: "attempted"), finished: try row.decode(Bool.self, column: "finished"),
            errors: try row.decode(String.self, column: "errors"), runsAfterAttempt: try row.decode(Double.self, column: "runs_after"),
            runsAfterCreation: try row.decode(Double.self, column: "runs_after_creation"),
            runAt: try row.decode(Double.self, column: "run_at"))
    }

    @Test func theRowMatchesWhatTheWorkerWritesForEachOutcome() async throws {
        try await withTestDatabase("attempted") { db in
            let later = Date().addingTimeInterval(7200)
            let cases: [(name: String, result: JobResult, maxAttempts: Int)] = [
                ("completed", .completed, 5),
                ("retry", .retry(reason: "HTTP 503"), 5),
                ("retryat", .retry(reason: "429, retry later", at: later), 5),
                ("retrylast", .retry(reason: "HTTP 503"), 1),
                ("fail", .fail(reason: "406 inactive recipient"), 5),
                ("cancel", .cancel(reason: "suppressed"), 5),
                ("snooze", .snooze(.seconds(3600)), 5),
            ]
            let backoff = Backoff(base: .seconds(600), jitter: 0)
            var configuration = testConfiguration()
            configuration.backoff = backoff
            configuration.workerID = "attempted-test"
            var registry = JobHandlerRegistry()
            for item in cases {
                registry.register("worker.\(item.name)") { _ in item.result }
            }
            try await withWorker(db, registry: registry, configuration: configuration) { _, pool in
                let queue = JobQueue(pool: pool)
                for item in cases {
                    try await queue.enqueue(JobRequest(kind: "worker.\(item.name)", uniqueKey: "worker.\(item.name)", maxAttempts: item.maxAttempts))
                }
                // Every job ran once and its outcome is written (a snooze gives its attempt back).
                #expect(await eventually {
                    try await pool.query(
                        "SELECT count(*) FROM herald_jobs WHERE kind LIKE 'worker.%' AND attempted_at IS NOT NULL AND state NOT IN ('available', 'running')"
                    )[0].decode(Int.self, at: 0) == cases.count
                })
                for item in cases {
                    let request = JobRequest(kind: "api.\(item.name)", uniqueKey: "api.\(item.name)", maxAttempts: item.maxAttempts)
                    let ids = try await queue.enqueueAttempted([AttemptedJob(request, result: item.result, backoff: backoff)],
                                                               attemptedBy: configuration.workerID)
                    #expect(ids.count == 1 && ids[0] != nil)
                    var byWorker = try await Self.shape(pool, kind: "worker.\(item.name)")
                    var byAPI = try await Self.shape(pool, kind: "api.\(item.name)")
                    if case .retry(_, let at?) = item.result {
                        // The time the handler asked for, whenever each attempt ran.
                        #expect(abs(byAPI.runAt - at.timeIntervalSince1970) < 0.01 && abs(byWorker.runAt - at.timeIntervalSince1970) < 0.01)
                        (byAPI.runsAfterAttempt, byAPI.runsAfterCreation) = (0, 0)
                        (byWorker.runsAfterAttempt, byWorker.runsAfterCreation) = (0, 0)
                    }
                    #expect(byAPI == byWorker, "\(item.name): API \(byAPI) vs worker \(byWorker)")
                }
                // The rules the rows show, spelled out once here.
                #expect(try await Self.shape(pool, kind: "api.retry").state == "retryable")
                #expect(try await Self.shape(pool, kind: "api.retrylast").state == "failed")
                #expect(try await Self.shape(pool, kind: "api.snooze").attempt == 0)
                #expect(try await Self.shape(pool, kind: "api.cancel").errors.contains("cancelled by handler: suppressed"))
                #expect(try await Self.shape(pool, kind: "api.fail").errors.contains(#""worker": "attempted-test""#))
            }
        }
    }

    @Test func outcomesFollowTheWorkersRule() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let backoff = Backoff(base: .seconds(4), jitter: 0)
        func outcome(_ result: JobResult, attempt: Int = 1) -> JobOutcome {
            JobOutcome.settling(result, id: 7, attempt: attempt, backoff: backoff, now: now)
        }
        #expect(outcome(.completed).action == .complete)
        let retry = outcome(.retry(reason: "HTTP 503"))
        #expect(retry.action == .retry && retry.error == "HTTP 503" && retry.runAt == now.addingTimeInterval(4))
        #expect(outcome(.retry(reason: "HTTP 503"), attempt: 3).runAt == now.addingTimeInterval(16))
        let at = now.addingTimeInterval(99)
        #expect(outcome(.retry(reason: "later", at: at)).runAt == at)
        let failed = outcome(.fail(reason: "406 inactive"))
        #expect(failed.action == .fail && failed.error == "406 inactive" && failed.runAt == nil)
        let cancelled = outcome(.cancel(reason: "suppressed"))
        #expect(cancelled.action == .cancel && cancelled.error == "cancelled by handler: suppressed")
        let snoozed = outcome(.snooze(.seconds(30)))
        #expect(snoozed.action == .snooze && snoozed.error == nil && snoozed.runAt == now.addingTimeInterval(30))
        #expect(JobResult(thrown: PermanentJobError("bad address")) == .fail(reason: "bad address"))
        struct Flaky: Error, CustomStringConvertible { var description: String { "HTTP 500" } }
        #expect(JobResult(thrown: Flaky()) == .retry(reason: "HTTP 500"))
    }
}
