import Discussions
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Notifications
import Postgres
import Queue
import Testing

/// What the console reads and does to people and discussions, through the services that own
/// the rows (no HTTP): each action is recorded in the operator log with what it changed.
@Suite("Operator reads and actions on people and discussions")
struct OperatorServiceTests {
    static func log(_ pool: PostgresPool) async throws -> [(actor: String, action: String, target: String, detail: String)] {
        try await pool.query("SELECT actor, action, target, detail FROM herald_console_actions ORDER BY id").map {
            (try $0.decode(String.self, column: "actor"), try $0.decode(String.self, column: "action"),
             try $0.decode(String.self, column: "target"), try $0.decode(String.self, column: "detail"))
        }
    }

    @Test func removingASuppressionRecordsWhyAndWhatItSaid() async throws {
        try await withTestDatabase("ops_unsuppress") { db in
            let pool = db.pool()
            let list = SuppressionList(pool: pool)
            try await list.add("Ana@Example.com", reason: "550 mailbox unknown", bounceType: .hard, source: "postmark_webhook")
            #expect(try await list.remove("nobody@example.com", by: "ops", note: "typo") == nil)
            #expect(try await Self.log(pool).isEmpty)
            let removed = try #require(try await list.remove(" ANA@example.com", by: "ops", note: "mailbox recreated"))
            #expect(removed.email == "ana@example.com" && removed.reason == "550 mailbox unknown")
            #expect(try await list.isSuppressed("ana@example.com") == false)
            let entries = try await Self.log(pool)
            #expect(entries.count == 1)
            #expect(entries.first?.actor == "ops" && entries.first?.action == "remove_suppression" && entries.first?.target == "ana@example.com")
            #expect(entries.first?.detail.hasPrefix("mailbox recreated (was: postmark_webhook, hard since ") == true)
            #expect(entries.first?.detail.hasSuffix(": 550 mailbox unknown)") == true)
            let read = try await OperatorActionLog(pool: pool).entries(action: "remove_suppression", target: "Ana@Example.com")
            #expect(read.map(\.actor) == ["ops"])
        }
    }

    @Test func aNotificationShowsItsNewestUnfinishedOrFailedJob() async throws {
        try await withTestDatabase("ops_people") { db in
            let pool = db.pool()
            let user = UUID()
            try await pool.query(
                "INSERT INTO notification_preferences (user_id, tenant_id, email, sms_enabled) VALUES ($1, gen_random_uuid(), 'Ana@Example.com', true)", [user])
            // Imported history (routed_at set) enqueues no route job of its own.
            let notification = try await pool.query(
                "INSERT INTO notifications (tenant_id, user_id, type, priority, routed_at) VALUES (gen_random_uuid(), $1, 'task.assigned', 'urgent', now()) RETURNING id",
                [user])[0].decode(UUID.self, at: 0)
            let key = "email.send:\(notification.lowercasedString)"
            for state in ["completed", "failed"] {
                try await pool.query("INSERT INTO herald_jobs (kind, state, unique_key, finished_at) VALUES ('email.send', $1, $2, now())", [state, key])
            }
            let failed = try await pool.query("SELECT id FROM herald_jobs WHERE state = 'failed'")[0].decode(Int64.self, at: 0)

            let history = RecipientHistory(pool: pool)
            #expect(try await history.preferences(userID: user)?.smsEnabled == true)
            #expect(try await history.preferences(email: "ana@EXAMPLE.com").map(\.userID) == [user])
            let lines = try await history.notifications(users: [user])
            #expect(lines.map(\.id) == [notification])
            #expect(lines.first?.job?.id == failed && lines.first?.job?.state == .failed && lines.first?.job?.kind == "email.send")
            #expect(try await history.notifications(users: []).isEmpty)
            #expect(try await history.digests(users: [user]).isEmpty)
        }
    }

    @Test func threadsMessagesAndTrackingReadBack() async throws {
        try await withTestDatabase("ops_threads") { db in
            let pool = db.pool()
            let thread = try await DiscussionFixtures.thread(pool, subject: "Kitchen remodel")
            let message = try await DiscussionFixtures.message(pool, thread: thread, body: "Hello")
            let pixel = try await DiscussionFixtures.tracking(pool, thread: thread, message: message, email: "Cy@Example.com", sentAt: StoreFixtures.date(0))
            _ = try await DiscussionEmailTrackingStore(pool: pool).recordBounce(trackingPixelId: pixel, bounceType: .hard, reason: "550", at: StoreFixtures.date(60))
            let history = DiscussionHistory(pool: pool)
            #expect(try await history.threads().map(\.id) == [thread])
            #expect(try await history.threads(matching: "REMODEL").first?.messages == 1)
            #expect(try await history.threads(matching: thread.uuidString).map(\.id) == [thread])
            #expect(try await history.threads(matching: "nothing like it").isEmpty)
            #expect(try await history.thread(id: thread)?.subject == "Kitchen remodel")
            #expect(try await history.thread(id: UUID()) == nil)
            #expect(try await history.messages(thread: thread).map(\.body) == ["Hello"])
            let tracked = try await history.trackedEmails(thread: thread)
            #expect(tracked.count == 1 && tracked.first?.subject == "Kitchen remodel" && tracked.first?.tracking.bounceType == .hard)
            #expect(try await history.trackedEmails(to: "cy@example.com").count == 1)
            #expect(try await history.latestBounce(to: "CY@example.com")?.tracking.bouncedAt == StoreFixtures.date(60))
            #expect(try await history.latestBounce(to: "other@example.com") == nil)
        }
    }

    @Test func aHeldReplyIsListedAndDiscardedOnceWithTheOperatorsNote() async throws {
        try await withTestDatabase("ops_held") { db in
            let pool = db.pool()
            let inbound = try await pool.query(
                "INSERT INTO inbound_emails (from_email, subject, text_body, status, reason) VALUES ('m@x.example', 'Re: hi', 'spam!', 'rejected', 'spam') RETURNING id"
            )[0].decode(UUID.self, at: 0)
            let service = InboundReplyService(pool: pool, key: try TokenSigningKey(secret: String(repeating: "k", count: 32)), logger: Logger(label: "test"))
            let held = try await service.heldReplies()
            #expect(held.map(\.id) == [inbound])
            // Kept for spam but with no thread: nothing to release it into.
            #expect(held.first?.isReleasable == false && held.first?.preview == "spam!")
            #expect(try await service.discard(inboundId: inbound, by: "ops", note: "spam"))
            #expect(try await service.discard(inboundId: inbound, by: "ops", note: "again") == false)
            #expect(try await service.heldReplies().isEmpty)
            let entries = try await Self.log(pool)
            #expect(entries.count == 1 && entries.first?.action == "discard_inbound" && entries.first?.target == inbound.lowercasedString)
            #expect(entries.first?.detail == "spam")
        }
    }
}
