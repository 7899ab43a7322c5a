import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// What operators read and do to `herald_jobs` (QueueInspector, JobAdmin), against a real
/// database: each action goes through the admin SQL functions and is logged with what it changed.
@Suite("Queue inspection and operator actions")
struct QueueAdminTests {
    @discardableResult
    static func job(
        _ pool: PostgresPool, kind: String = "email.send", state: String, uniqueKey: String? = nil, finishedAgo: String? = "1 minute",
        errors: [String] = []
    ) async throws -> Int64 {
        try await pool.query(
            """
            INSERT INTO herald_jobs (kind, state, attempt, max_attempts, unique_key, finished_at, errors)
            SELECT $1, $2, 3, 3, $3, now() - $4::interval,
                   coalesce(jsonb_agg(jsonb_build_object('attempt', n, 'at', 'x', 'error', e, 'worker', 'w1') ORDER BY n), '[]')
              FROM unnest($5::text[]) WITH ORDINALITY AS t(e, n)
            RETURNING id
            """, [kind, state, uniqueKey, finishedAgo, errors])[0].decode(Int64.self, at: 0)
    }

    static func log(_ pool: PostgresPool) async throws -> [(actor: String, action: String, target: String, detail: String)] {
        try await pool.query("SELECT actor, action, target, detail FROM herald_console_actions ORDER BY id").map {
            (try $0.decode(String.self, column: "actor"), try $0.decode(String.self, column: "action"),
             try $0.decode(String.self, column: "target"), try $0.decode(String.self, column: "detail"))
        }
    }

    @Test func aRetryReQueuesOnceAndIsLogged() async throws {
        try await withTestDatabase("admin_retry") { db in
            let pool = db.pool()
            let id = try await Self.job(pool, state: "failed")
            let admin = JobAdmin(pool: pool)
            #expect(try await admin.retry(id: id, extraAttempts: 2, actor: "ops") == .retried)
            let row = try await pool.query("SELECT state, max_attempts FROM herald_jobs WHERE id = $1", [id])[0]
            #expect(try row.decode(String.self, column: "state") == "available" && row.decode(Int.self, column: "max_attempts") == 5)
            #expect(try await admin.retry(id: id, extraAttempts: 1, actor: "ops") == .notRetryable)
            #expect(try await admin.retry(id: 999_999, extraAttempts: 1, actor: "ops") == .notRetryable)
            let entries = try await Self.log(pool)
            #expect(entries.count == 1)
            #expect(entries.first?.actor == "ops" && entries.first?.action == "retry_job" && entries.first?.target == String(id))
            #expect(entries.first?.detail == "extra_attempts=2")
        }
    }

    @Test func aRetryThatWouldDuplicateALiveUniqueKeyChangesNothing() async throws {
        try await withTestDatabase("admin_unique") { db in
            let pool = db.pool()
            let failed = try await Self.job(pool, state: "failed", uniqueKey: "email.send:x")
            try await Self.job(pool, state: "available", uniqueKey: "email.send:x", finishedAgo: nil)
            #expect(try await JobAdmin(pool: pool).retry(id: failed, extraAttempts: 1, actor: "ops") == .uniqueKeyTaken)
            #expect(try await jobState(pool, failed) == "failed")
            #expect(try await Self.log(pool).isEmpty)
            #expect(try await JobAdmin(pool: pool).retryFailed(kind: "email.send", since: nil, until: Date(), extraAttempts: 1, actor: "ops")
                == .uniqueKeyTaken)
            #expect(try await jobState(pool, failed) == "failed")
        }
    }

    @Test func cancelStopsOnlyLiveJobs() async throws {
        try await withTestDatabase("admin_cancel") { db in
            let pool = db.pool()
            let scheduled = try await Self.job(pool, state: "scheduled", finishedAgo: nil)
            let completed = try await Self.job(pool, state: "completed")
            let admin = JobAdmin(pool: pool)
            #expect(try await admin.cancel(id: scheduled, actor: "ops"))
            #expect(try await jobState(pool, scheduled) == "cancelled")
            #expect(try await admin.cancel(id: completed, actor: "ops") == false)
            #expect(try await Self.log(pool).map(\.action) == ["cancel_job"])
        }
    }

    @Test func aBulkRetryTouchesExactlyWhatTheCountCounted() async throws {
        try await withTestDatabase("admin_bulk") { db in
            let pool = db.pool()
            for _ in 0..<3 { try await Self.job(pool, kind: "digest.build", state: "failed") }
            let old = try await Self.job(pool, kind: "digest.build", state: "failed", finishedAgo: "3 days")
            let other = try await Self.job(pool, kind: "email.send", state: "failed")
            let since = Date().addingTimeInterval(-86_400), until = Date()
            let inspector = QueueInspector(pool: pool)
            #expect(try await inspector.failedCount(kind: "digest.build", since: since, until: until) == 3)
            #expect(try await inspector.failedCount(kind: "digest.build", since: nil, until: until) == 4)
            #expect(try await JobAdmin(pool: pool).retryFailed(kind: "digest.build", since: since, until: until, extraAttempts: 1, actor: "ops")
                == .retried(3))
            #expect(try await jobState(pool, old) == "failed")
            #expect(try await jobState(pool, other) == "failed")
            let entry = try #require(try await Self.log(pool).first)
            #expect(entry.action == "retry_failed_jobs" && entry.target == "digest.build")
            #expect(entry.detail.hasSuffix("extra_attempts=1 retried=3") && entry.detail.hasPrefix("since=20"))
        }
    }

    @Test func listsPagesAndOneJobWithItsHistory() async throws {
        try await withTestDatabase("admin_inspect") { db in
            let pool = db.pool()
            let failed = try await Self.job(pool, state: "failed", uniqueKey: "email.send:n1", errors: ["first", "<second>"])
            let available = try await Self.job(pool, kind: "sms.send", state: "available", uniqueKey: "sms.send:n1", finishedAgo: nil)
            try await Self.job(pool, state: "completed", uniqueKey: "notification.route:n1")
            let inspector = QueueInspector(pool: pool)

            let counts = try await inspector.liveCounts()
            #expect(counts.contains { $0.queue == "default" && $0.state == .failed && $0.count == 1 })
            #expect(counts.contains { $0.state == .available && $0.count == 1 })
            #expect(!counts.contains { $0.state == .completed })

            let all = try await inspector.jobs(.init(), limit: 50)
            #expect(all.count == 3 && all.map(\.id) == all.map(\.id).sorted(by: >))
            #expect(try await inspector.jobs(.init(state: .failed), limit: 50).map(\.id) == [failed])
            #expect(try await inspector.jobs(.init(kind: "sms.send"), limit: 50).map(\.id) == [available])
            #expect(try await inspector.jobs(.init(before: available), limit: 50).map(\.id) == [failed])
            #expect(try await inspector.jobs(.init(state: .failed, since: Date().addingTimeInterval(30)), limit: 50).isEmpty)

            let detail = try #require(try await inspector.job(id: failed))
            #expect(detail.summary.lastError == "<second>")
            #expect(detail.errors.map(\.error) == ["<second>", "first"])
            #expect(detail.canRetry && !detail.canCancel && detail.isFinal)
            #expect(detail.uniqueKey == "email.send:n1" && detail.arguments == "{\n}")
            #expect(try await inspector.job(id: 999_999) == nil)

            let keyed = try await inspector.jobs(uniqueKeys: ["email.send:n1", "sms.send:n1", "notification.route:n1"])
            #expect(Set(keyed.map(\.id)) == [failed, available])
            #expect(try await inspector.jobs(uniqueKeys: []).isEmpty)
            #expect(try await inspector.leader() == nil)
            #expect(try await inspector.leaseHolders().isEmpty)
            #expect(try await inspector.failingKinds().map(\.kind) == ["email.send"])
        }
    }
}
