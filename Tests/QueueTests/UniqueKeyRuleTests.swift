import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// Every way a job gets into `herald_jobs` (the producer triggers, `herald_enqueue`, and the
/// Swift API) follows the same unique-key rule: skipped while a live job holds the key, inserted
/// once every job holding it finished.
@Suite("One unique-key rule for every way in")
struct UniqueKeyRuleTests {
    enum Path: String, CaseIterable, Sendable {
        case notificationTrigger, messageTrigger, sqlEnqueue, swiftEnqueue, swiftEnqueueMany, swiftEnqueueAttempted
    }

    @Test func everyPathSkipsALiveKeyAndOnlyALiveKey() async throws {
        try await withTestDatabase("uniquerule") { db in
            let c = try await db.connect()
            let tenant = UUID()
            try await c.query("INSERT INTO communication_settings (tenant_id, email_integration_enabled) VALUES ($1, true)", [tenant])
            let thread = try await c.query("INSERT INTO communication_threads (tenant_id) VALUES ($1) RETURNING id", [tenant])[0]
                .decode(UUID.self, column: "id")
            var inserted: [Path: [JobState: Bool]] = [:]
            for path in Path.allCases {
                for state in JobState.allCases {
                    let id = UUID()
                    let (kind, key) = switch path {
                    case .notificationTrigger: ("notification.route", "notification.route:\(id.lowercasedString)")
                    case .messageTrigger: ("message.fanout", "message.fanout:\(id.lowercasedString)")
                    default: ("test.unique", "test.unique:\(id.lowercasedString)")
                    }
                    // The job already there, holding the key in `state`.
                    let existing = try await c.query(
                        "INSERT INTO herald_jobs (kind, unique_key, state) VALUES ($1, $2, $3) RETURNING id", [kind, key, state.rawValue]
                    )[0].decode(Int64.self, column: "id")
                    let request = JobRequest(kind: kind, uniqueKey: key)
                    switch path {
                    case .notificationTrigger:
                        try await c.query("INSERT INTO notifications (id, tenant_id, user_id, type) VALUES ($1, $2, $3, 'test')", [id, tenant, UUID()])
                    case .messageTrigger:
                        try await c.query("INSERT INTO communication_messages (id, thread_id, body) VALUES ($1, $2, 'hello')", [id, thread])
                    case .sqlEnqueue:
                        let returned = try await c.query("SELECT herald_enqueue($1, '{}', 2, now(), $2) AS id", [kind, key])[0]
                            .decode(Int64.self, column: "id")
                        // The id of the live job holding the key, or of the new one.
                        #expect((returned == existing) == JobState.live.contains(state), "\(state)")
                    case .swiftEnqueue:
                        let returned = try await JobQueue.enqueue(request, on: c)
                        #expect((returned == existing) == JobState.live.contains(state), "\(state)")
                    case .swiftEnqueueMany:
                        let count = try await JobQueue.enqueueMany([request], on: c)
                        #expect((count == 0) == JobState.live.contains(state), "\(state)")
                    case .swiftEnqueueAttempted:
                        let ids = try await c.transaction { tx in
                            try await JobQueue.enqueueAttempted(
                                [AttemptedJob(request, result: .retry(reason: "try later"), backoff: Backoff())], attemptedBy: "test", on: tx)
                        }
                        #expect((ids == [nil]) == JobState.live.contains(state), "\(state)")
                    }
                    let jobs = try await c.query("SELECT count(*) FROM herald_jobs WHERE unique_key = $1", [key])[0].decode(Int.self, at: 0)
                    inserted[path, default: [:]][state] = jobs == 2
                }
            }
            let expected = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, !JobState.live.contains($0)) })
            #expect(JobState.live == [.available, .scheduled, .running, .retryable])
            for path in Path.allCases {
                #expect(inserted[path] == expected, "\(path.rawValue): inserted per state \(inserted[path] ?? [:])")
            }
            await c.close()
        }
    }

    @Test func aBulkProducerStatementEnqueuesOnceAndSkipsLiveKeys() async throws {
        try await withTestDatabase("uniquebulk") { db in
            let c = try await db.connect()
            let held = UUID()
            try await c.query("INSERT INTO herald_jobs (kind, unique_key, state) VALUES ('notification.route', $1, 'running')",
                              ["notification.route:\(held.lowercasedString)"])
            // 500 notifications in one statement, one of them already holding a live route job.
            let ids = [held] + (1..<500).map { _ in UUID() }
            try await c.query(
                """
                INSERT INTO notifications (id, tenant_id, user_id, type, priority)
                SELECT i, $2, $2, 'test', 'urgent' FROM unnest($1::uuid[]) AS i
                """, [ids, UUID()])
            let rows = try await c.query(
                "SELECT state, priority, count(*) AS n FROM herald_jobs WHERE kind = 'notification.route' GROUP BY state, priority ORDER BY state")
            let summary = try rows.map { "\(try $0.decode(String.self, column: "state")) p\(try $0.decode(Int.self, column: "priority")) ×\(try $0.decode(Int.self, column: "n"))" }
            #expect(summary == ["available p0 ×499", "running p2 ×1"])
            await c.close()
        }
    }
}
