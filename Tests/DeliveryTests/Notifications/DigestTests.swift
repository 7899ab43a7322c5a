import Foundation
import HeraldTestSupport
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import Testing

/// Digests: the leader's scheduler and digest.build, against PostgreSQL and the sandbox.
@Suite("Digests")
struct DigestTests {
    /// Inserts an already-routed digest notification created at `created` (no route job).
    @discardableResult
    static func pending(_ h: DeliveryHarness, tenant: UUID, user: UUID, at created: String, title: String) async throws -> UUID {
        try await h.pool.query(
            """
            INSERT INTO notifications (tenant_id, user_id, type, priority, data, created_at, routed_at, route)
            VALUES ($1, $2, 'task.assigned', 'normal', jsonb_build_object('task_title', $3::text, 'url', 'https://app.example/t'),
                    $4::timestamptz, now(), 'digest:daily')
            RETURNING id
            """, [tenant, user, title, created])[0].decode(UUID.self, column: "id")
    }

    static func digestKey(_ h: DeliveryHarness, of id: UUID) async throws -> String? {
        try await h.pool.query("SELECT d.period_key FROM notifications n JOIN digests d ON d.id = n.digest_id WHERE n.id = $1", [id])
            .first?.decode(String.self, column: "period_key")
    }

    @Test("Across the Berlin spring-forward: one digest per non-empty period, none for empty ones, stragglers kept")
    func acrossDST() async throws {
        try await DeliveryHarness.run("digestdst") { h in
            let tenant = UUID()
            let user = try await h.addUser(tenant: tenant, email: "berlin@example.com", frequency: "daily", timeZone: "Europe/Berlin", hour: 8)
            // Boundaries at 08:00 local: 03-28 07:00Z (CET), 03-29 06:00Z (CEST, a 23-hour day), 03-30 06:00Z …
            let n1 = try await Self.pending(h, tenant: tenant, user: user, at: "2026-03-28T10:00:00Z", title: "one")
            let n2 = try await Self.pending(h, tenant: tenant, user: user, at: "2026-03-29T05:30:00Z", title: "two")  // 07:30 CEST
            let n3 = try await Self.pending(h, tenant: tenant, user: user, at: "2026-03-29T06:30:00Z", title: "three")  // 08:30 CEST
            let n4 = try await Self.pending(h, tenant: tenant, user: user, at: "2026-04-01T12:00:00Z", title: "four")
            let open = try await Self.pending(h, tenant: tenant, user: user, at: "2026-04-03T11:00:00Z", title: "not yet")
            let now = instant("2026-04-03T12:00:00Z")
            let scheduler = DigestScheduler(configuration: h.delivery.configuration, logger: DeliveryHarness.logger, now: { now })

            // Six periods ended since the oldest pending notification (workers were "down").
            #expect(try await scheduler.enqueueDuePeriods(pool: h.pool) == 6)
            #expect(try await scheduler.enqueueDuePeriods(pool: h.pool) == 0)  // unique keys: no duplicates
            try await h.withWorker {
                #expect(await eventually { try await h.liveJobs() == 0 })
            }
            #expect(try await Self.digestKey(h, of: n1) == "daily:2026-03-28")
            #expect(try await Self.digestKey(h, of: n2) == "daily:2026-03-28")
            #expect(try await Self.digestKey(h, of: n3) == "daily:2026-03-29")
            #expect(try await Self.digestKey(h, of: n4) == "daily:2026-04-01")
            #expect(try await Self.digestKey(h, of: open) == nil)
            #expect(try await h.column("email_sent_at", of: open) == nil)
            let digests = try await h.pool.query(
                """
                SELECT period_key, notification_count, extract(epoch FROM period_end - period_start) AS seconds,
                       email_sent_at IS NOT NULL AS sent, provider_message_id
                  FROM digests ORDER BY period_key
                """)
            #expect(try digests.map { try $0.decode(String.self, column: "period_key") } == ["daily:2026-03-28", "daily:2026-03-29", "daily:2026-04-01"])
            #expect(try digests.map { try $0.decode(Int.self, column: "notification_count") } == [2, 1, 1])
            #expect(try digests[0].decode(Double.self, column: "seconds") == 23 * 3600)
            #expect(try digests.allSatisfy { try $0.decode(Bool.self, column: "sent") })
            let emails = h.sandbox.receivedEmails()
            #expect(emails.count == 3)  // no empty digests
            #expect(emails.allSatisfy { $0.subject.hasPrefix("Your daily summary") })
            let first = try #require(emails.first { $0.textBody?.contains("New task: one") == true })
            #expect(first.textBody?.contains("New task: two") == true)
            #expect(first.subject == "Your daily summary: 2 notifications")
            for id in [n1, n2, n3, n4] { #expect(try await h.column("email_sent_at", of: id) != nil) }
            // Everything sent: the next run enqueues nothing.
            #expect(try await scheduler.enqueueDuePeriods(pool: h.pool) == 0)

            // A late insert into an already-sent period joins the next period that ends, never lost, never resent.
            let straggler = try await Self.pending(h, tenant: tenant, user: user, at: "2026-03-28T12:00:00Z", title: "late")
            #expect(try await scheduler.enqueueDuePeriods(pool: h.pool) == 1)
            try await h.withWorker {
                #expect(await eventually { try await h.liveJobs() == 0 })
            }
            #expect(try await Self.digestKey(h, of: straggler) == "daily:2026-04-02")
            #expect(h.sandbox.receivedEmails().count == 4)
        }
    }

    @Test("Several users' digests at one boundary go out in one /email/batch call; a re-run sends nothing")
    func batchedDigests() async throws {
        try await DeliveryHarness.run("digestbatch") { h in
            let tenant = UUID()
            var users: [UUID] = []
            for index in 0..<3 {
                let user = try await h.addUser(tenant: tenant, email: "d\(index)@example.com", frequency: "daily", timeZone: "America/New_York", hour: 9)
                try await Self.pending(h, tenant: tenant, user: user, at: "2026-11-01T12:00:00Z", title: "item \(index)")  // the US fall-back day
                users.append(user)
            }
            let now = instant("2026-11-01T15:00:00Z")  // 10:00 EST: the 25-hour day ended at 09:00
            let scheduler = DigestScheduler(configuration: h.delivery.configuration, logger: DeliveryHarness.logger, now: { now })
            #expect(try await scheduler.enqueueDuePeriods(pool: h.pool) == 3)
            try await h.withWorker {
                #expect(await eventually { try await h.liveJobs() == 0 })
            }
            let counters = h.sandbox.counters()
            #expect(counters.batchRequests == 1)
            #expect(counters.emailRequests == 0)
            #expect(h.sandbox.receivedEmails().allSatisfy { $0.viaBatch })
            let periods = try await h.pool.query("SELECT DISTINCT period_key, extract(epoch FROM period_end - period_start) AS s FROM digests")
            try #require(periods.count == 1)
            #expect(try periods[0].decode(String.self, column: "period_key") == "daily:2026-10-31")
            #expect(try periods[0].decode(Double.self, column: "s") == 25 * 3600)
            // Re-running a completed period's job builds nothing new.
            try await JobQueue(pool: h.pool).enqueue(JobRequest(
                kind: "digest.build", encoding: NotificationJobKind.DigestArgs(
                    userID: users[0], frequency: "daily", periodKey: "daily:2026-10-31",
                    periodStart: instant("2026-10-31T13:00:00Z").timeIntervalSince1970,
                    periodEnd: instant("2026-11-01T14:00:00Z").timeIntervalSince1970, gatherOlder: true)))
            try await h.withWorker {
                #expect(await eventually { try await h.liveJobs() == 0 })
            }
            #expect(h.sandbox.receivedEmails().count == 3)
        }
    }

    @Test("Batch path: 501 emails → two /email/batch calls (500 + 1), one bad element fails alone")
    func batchSplitting() async throws {
        try await DeliveryHarness.run("digestsplit") { h in
            h.sandbox.setInactiveRecipient("bad@example.com")
            let coalescer = PostmarkSendCoalescer(client: h.postmark, window: .seconds(1))
            let addresses = (0..<501).map { $0 == 250 ? "bad@example.com" : "ok\($0)@example.com" }
            let results = await withTaskGroup(of: (String, PostmarkSendResult).self) { group in
                for address in addresses {
                    group.addTask {
                        (address, await coalescer.send(PostmarkEmailRequest(
                            from: "digest@herald.localhost", to: address, subject: "Digest", htmlBody: "<p>x</p>", textBody: "x")))
                    }
                }
                var all: [String: PostmarkSendResult] = [:]
                for await (address, result) in group { all[address] = result }
                return all
            }
            #expect(results.count == 501)
            #expect(h.sandbox.counters().batchRequests == 2)
            #expect(h.sandbox.counters().emailsAccepted == 500)
            let bad = try #require(results["bad@example.com"])
            #expect(bad.outcome.isPermanent && bad.outcome.suppressesAddress)
            #expect(bad.errorCode == 406)
            #expect(results.filter { $0.value.outcome == .success }.count == 500)
        }
    }
}
