import Foundation
import HeraldTestSupport
import Postgres
import Testing

/// Producers write rows; the database enqueues the jobs in the same transaction.
@Suite("Store schema: producers enqueue route and fan-out jobs")
struct ProducerTriggerTests {
    struct Abort: Error {}

    struct Job: Equatable {
        var kind: String
        var priority: Int
        var args: String
        var uniqueKey: String
        var state: String
    }

    static func jobs(_ c: PostgresConnection, kind: String) async throws -> [Job] {
        try await c.query(
            "SELECT kind, priority, args::text AS args, unique_key, state FROM herald_jobs WHERE kind = $1 ORDER BY id",
            [kind]
        ).map {
            Job(kind: try $0.decode(String.self, column: "kind"), priority: try $0.decode(Int.self, column: "priority"),
                args: try $0.decode(String.self, column: "args"), uniqueKey: try $0.decode(String.self, column: "unique_key"),
                state: try $0.decode(String.self, column: "state"))
        }
    }

    @Test func heraldNotifyInsertsAndEnqueuesOneRouteJobWithThePriority() async throws {
        try await withTestDatabase("notify") { db in
            let c = try await db.connect()
            let expected = ["urgent": 0, "high": 1, "normal": 2, "low": 3]
            for (priority, jobPriority) in expected.sorted(by: { $0.value < $1.value }) {
                let id = try await c.query(
                    "SELECT herald_notify($1, $2, $3, $4, $5) AS id",
                    [UUID(), UUID(), "task.assigned", priority, PostgresJSON(#"{"task_title":"Tile"}"#)]
                )[0].decode(UUID.self, column: "id")
                let jobs = try await Self.jobs(c, kind: "notification.route").filter { $0.uniqueKey == "notification.route:\(id.uuidString.lowercased())" }
                try #require(jobs.count == 1)
                #expect(jobs[0].priority == jobPriority)
                #expect(jobs[0].state == "available")
                #expect(jobs[0].args == #"{"notification_id": "\#(id.uuidString.lowercased())"}"#)
                let stored = try await c.query("SELECT priority, type, data->>'task_title' AS title FROM notifications WHERE id = $1", [id])[0]
                #expect(try stored.decode(String.self, column: "priority") == priority)
                #expect(try stored.decode(String.self, column: "title") == "Tile")
            }
            #expect(try await Self.jobs(c, kind: "notification.route").count == 4)
            // Defaults: normal priority, empty data.
            let id = try await c.query("SELECT herald_notify($1, $2, 'invoice.overdue') AS id", [UUID(), UUID()])[0].decode(UUID.self, column: "id")
            let row = try await c.query("SELECT priority, data::text AS data FROM notifications WHERE id = $1", [id])[0]
            #expect(try row.decode(String.self, column: "priority") == "normal")
            #expect(try row.decode(String.self, column: "data") == "{}")
            // A bad priority is refused and nothing is enqueued.
            await #expect(throws: PostgresError.self) {
                try await c.query("SELECT herald_notify($1, $2, 'x', 'critical')", [UUID(), UUID()])
            }
            #expect(try await Self.jobs(c, kind: "notification.route").count == 5)
            await c.close()
        }
    }

    @Test func plainInsertEnqueuesOneRouteJobPerRow() async throws {
        try await withTestDatabase("insert") { db in
            let c = try await db.connect()
            let rows = try await c.query(
                """
                INSERT INTO notifications (tenant_id, user_id, type, priority) VALUES
                  ($1, $2, 'a', 'low'), ($1, $2, 'b', 'urgent'), ($1, $2, 'c', 'high'), ($1, $2, 'd', 'normal')
                RETURNING id, priority
                """, [UUID(), UUID()])
            let jobs = try await Self.jobs(c, kind: "notification.route")
            #expect(jobs.count == 4)
            let byKey = Dictionary(uniqueKeysWithValues: jobs.map { ($0.uniqueKey, $0.priority) })
            for row in rows {
                let id = try row.decode(UUID.self, column: "id").uuidString.lowercased()
                let expected = ["urgent": 0, "high": 1, "normal": 2, "low": 3][try row.decode(String.self, column: "priority")]
                #expect(byKey["notification.route:\(id)"] == expected)
            }
            // An imported notification that is already routed enqueues nothing.
            try await c.query("INSERT INTO notifications (tenant_id, user_id, type, routed_at, route) VALUES ($1, $2, 'old', now(), 'none')", [UUID(), UUID()])
            #expect(try await Self.jobs(c, kind: "notification.route").count == 4)
            await c.close()
        }
    }

    @Test func rolledBackProducerLeavesNeitherNotificationNorJob() async throws {
        try await withTestDatabase("rollback") { db in
            let c = try await db.connect()
            await #expect(throws: Abort.self) {
                try await c.transaction { tx in
                    try await tx.query("SELECT herald_notify($1, $2, 'task.assigned', 'urgent')", [UUID(), UUID()])
                    try await tx.query("INSERT INTO notifications (tenant_id, user_id, type) VALUES ($1, $2, 'x')", [UUID(), UUID()])
                    let inside = try await tx.query("SELECT count(*) AS n FROM herald_jobs")[0].decode(Int.self, column: "n")
                    #expect(inside == 2)
                    throw Abort()
                }
            }
            let counts = try await c.query("SELECT (SELECT count(*) FROM notifications) AS notifications, (SELECT count(*) FROM herald_jobs) AS jobs")[0]
            #expect(try counts.decode(Int.self, column: "notifications") == 0)
            #expect(try counts.decode(Int.self, column: "jobs") == 0)
            await c.close()
        }
    }

    @Test func bulkInsertEnqueuesEveryJobInOneStatement() async throws {
        try await withTestDatabase("bulk") { db in
            let c = try await db.connect()
            try await c.query(
                """
                INSERT INTO notifications (tenant_id, user_id, type, priority)
                SELECT $1, gen_random_uuid(), 'task.assigned', (ARRAY['urgent', 'high', 'normal', 'low'])[1 + g % 4]
                  FROM generate_series(1, 5000) AS g
                """, [UUID()])
            let check = try await c.query(
                """
                SELECT count(*) AS jobs,
                       count(*) FILTER (WHERE j.priority = CASE n.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END) AS right_priority,
                       count(DISTINCT n.id) AS notifications
                  FROM herald_jobs j JOIN notifications n ON j.args->>'notification_id' = n.id::text
                """)[0]
            #expect(try check.decode(Int.self, column: "jobs") == 5000)
            #expect(try check.decode(Int.self, column: "right_priority") == 5000)
            #expect(try check.decode(Int.self, column: "notifications") == 5000)
            await c.close()
        }
    }

    @Test func appMessageEnqueuesFanoutOnlyWhenTheTenantHasEmailIntegration() async throws {
        try await withTestDatabase("fanout") { db in
            let c = try await db.connect()
            let enabledTenant = UUID(), disabledTenant = UUID(), unsetTenant = UUID()
            try await c.query("INSERT INTO communication_settings (tenant_id, email_integration_enabled) VALUES ($1, true), ($2, false)",
                              [enabledTenant, disabledTenant])
            let enabledThread = try await DiscussionFixtures.thread(c, tenant: enabledTenant)
            let disabledThread = try await DiscussionFixtures.thread(c, tenant: disabledTenant)
            let unsetThread = try await DiscussionFixtures.thread(c, tenant: unsetTenant)

            let appMessage = try await DiscussionFixtures.message(c, thread: enabledThread)
            var jobs = try await Self.jobs(c, kind: "message.fanout")
            #expect(jobs == [Job(kind: "message.fanout", priority: 1, args: #"{"message_id": "\#(appMessage.uuidString.lowercased())"}"#,
                                 uniqueKey: "message.fanout:\(appMessage.uuidString.lowercased())", state: "available")])

            // A reply received by email is not sent back out; other tenants get nothing.
            try await DiscussionFixtures.message(c, thread: enabledThread, source: "email")
            try await DiscussionFixtures.message(c, thread: disabledThread)
            try await DiscussionFixtures.message(c, thread: unsetThread)
            #expect(try await Self.jobs(c, kind: "message.fanout").count == 1)

            // One multi-row statement across tenants: only the enabled tenant's app messages.
            let inserted = try await c.query(
                """
                INSERT INTO communication_messages (thread_id, body, source, author_email) VALUES
                  ($1, 'one', 'app', NULL), ($1, 'two', 'app', NULL), ($1, 'three', 'email', 'x@example.com'), ($2, 'four', 'app', NULL)
                RETURNING id, body
                """, [enabledThread, disabledThread])
            jobs = try await Self.jobs(c, kind: "message.fanout")
            #expect(jobs.count == 3)
            let expectedKeys = Set(try inserted.filter { try ["one", "two"].contains($0.decode(String.self, column: "body")) }
                .map { "message.fanout:\(try $0.decode(UUID.self, column: "id").uuidString.lowercased())" })
            #expect(expectedKeys.isSubset(of: Set(jobs.map(\.uniqueKey))))

            // Turning integration off stops new fan-outs.
            try await c.query("UPDATE communication_settings SET email_integration_enabled = false WHERE tenant_id = $1", [enabledTenant])
            try await DiscussionFixtures.message(c, thread: enabledThread)
            #expect(try await Self.jobs(c, kind: "message.fanout").count == 3)
            await c.close()
        }
    }

    @Test func updatedAtFollowsUpdates() async throws {
        try await withTestDatabase("touch") { db in
            let c = try await db.connect()
            let tenant = UUID()
            try await c.query("INSERT INTO communication_settings (tenant_id, updated_at) VALUES ($1, '2000-01-01')", [tenant])
            try await c.query("UPDATE communication_settings SET email_integration_enabled = true WHERE tenant_id = $1", [tenant])
            let updated = try await c.query("SELECT updated_at > '2001-01-01' AS fresh FROM communication_settings WHERE tenant_id = $1", [tenant])
            #expect(try updated[0].decode(Bool.self, column: "fresh"))
            await c.close()
        }
    }
}
