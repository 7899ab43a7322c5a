import Discussions
import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Testing

@Suite("DiscussionEmailTrackingStore")
struct DiscussionEmailTrackingStoreTests {
    /// A thread with one message and a registered recipient.
    struct Setup {
        var pool: PostgresPool
        var store: DiscussionEmailTrackingStore
        var threadId: UUID
        var messageId: UUID
        var row: DiscussionEmailTracking
    }

    static func setUp(_ db: TestDatabase) async throws -> Setup {
        let pool = db.pool()
        let store = DiscussionEmailTrackingStore(pool: pool)
        let (threadId, messageId) = try await pool.withConnection { c in
            let thread = try await DiscussionFixtures.thread(c)
            return (thread, try await DiscussionFixtures.message(c, thread: thread))
        }
        let row = try await store.register(threadId: threadId, messageId: messageId, recipientEmail: "client@example.com", recipientType: .clientContact)
        return Setup(pool: pool, store: store, threadId: threadId, messageId: messageId, row: row)
    }

    @Test func registerIsIdempotentAndGeneratesAnUnguessablePixelId() async throws {
        try await withTestDatabase("register") { db in
            let s = try await Self.setUp(db)
            #expect(s.row.trackingPixelId.count == 32)
            #expect(s.row.openCount == 0 && s.row.clickCount == 0 && s.row.sentAt == nil && s.row.ipAddress == nil)
            #expect(s.row.recipientType == .clientContact && s.row.threadId == s.threadId && s.row.messageId == s.messageId)
            let again = try await s.store.register(threadId: s.threadId, messageId: s.messageId, recipientEmail: "client@example.com", recipientType: .clientContact)
            #expect(again.id == s.row.id && again.trackingPixelId == s.row.trackingPixelId)
            let chosen = try await s.store.register(threadId: s.threadId, messageId: s.messageId, recipientEmail: "free@example.com",
                                                    recipientType: .freelancer, trackingPixelId: "pixel_chosen_by_caller_01")
            #expect(chosen.trackingPixelId == "pixel_chosen_by_caller_01" && chosen.recipientType == .freelancer)
            #expect(try await s.store.findByMessage(s.messageId).map(\.recipientEmail) == ["client@example.com", "free@example.com"])
            await s.pool.close()
        }
    }

    @Test func recordSentAndFindByTrackingPixel() async throws {
        try await withTestDatabase("sent") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            let sent = try #require(try await s.store.recordSent(
                trackingPixelId: pixel, providerMessageId: "pm-123", emailMessageId: "<m1.client@mail.example.com>", at: StoreFixtures.date(10)))
            #expect(sent.sentAt == StoreFixtures.date(10))
            // A retried send keeps the first time.
            try await s.store.recordSent(trackingPixelId: pixel, providerMessageId: nil, emailMessageId: nil, at: StoreFixtures.date(20))
            let found = try #require(try await s.store.findByTrackingPixel(pixel))
            #expect(found.sentAt == StoreFixtures.date(10))
            #expect(found.providerMessageId == "pm-123")
            #expect(found.emailMessageId == "<m1.client@mail.example.com>")
            #expect(found.recipientEmail == "client@example.com")
            #expect(try await s.store.findByTrackingPixel(String(repeating: "0", count: 32)) == nil)
            #expect(try await s.store.findByTrackingPixel("../../etc/passwd") == nil)
            #expect(try await s.store.recordSent(trackingPixelId: String(repeating: "0", count: 32), providerMessageId: nil, emailMessageId: nil) == nil)
            await s.pool.close()
        }
    }

    @Test func recordOpenCountsEveryOpenAndKeepsTheFirst() async throws {
        try await withTestDatabase("open") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            let first = try #require(try await s.store.recordOpen(trackingPixelId: pixel, userAgent: "Mail/1.0", ip: "203.0.113.7", at: StoreFixtures.date(100)))
            #expect(first.openCount == 1 && first.openedAt == StoreFixtures.date(100))
            #expect(first.userAgent == "Mail/1.0" && first.ipAddress == "203.0.113.7")
            let second = try #require(try await s.store.recordOpen(trackingPixelId: pixel, userAgent: "Outlook", ip: "2001:db8::1", at: StoreFixtures.date(200)))
            #expect(second.openCount == 2 && second.openedAt == StoreFixtures.date(100))
            #expect(second.userAgent == "Outlook" && second.ipAddress == "2001:db8::1")
            // An event that arrives late but happened earlier is the first open.
            let late = try #require(try await s.store.recordOpen(trackingPixelId: pixel, userAgent: nil, ip: nil, at: StoreFixtures.date(50)))
            #expect(late.openCount == 3 && late.openedAt == StoreFixtures.date(50))
            // Clicks are untouched by opens.
            #expect(late.clickCount == 0 && late.clickedAt == nil)
            #expect(try await s.store.recordOpen(trackingPixelId: String(repeating: "f", count: 32), userAgent: nil, ip: nil) == nil)
            #expect(try await s.store.recordOpen(trackingPixelId: "x'; DROP TABLE notifications; --", userAgent: nil, ip: nil) == nil)
            await s.pool.close()
        }
    }

    @Test func invalidIPIsStoredAsNullAndTheEventStillCounts() async throws {
        try await withTestDatabase("badip") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            for (index, ip) in ["not-an-ip", "999.1.1.1", "1.2.3.4, 5.6.7.8", "", "fe80::1%eth0", "1.2.3.4/24"].enumerated() {
                let row = try #require(try await s.store.recordOpen(trackingPixelId: pixel, userAgent: "UA\u{0}with NUL", ip: ip))
                #expect(row.openCount == index + 1)
                #expect(row.ipAddress == nil)
                #expect(row.userAgent == "UAwith NUL")
            }
            let click = try #require(try await s.store.recordClick(trackingPixelId: pixel, userAgent: String(repeating: "u", count: 5000), ip: " [::1] "))
            #expect(click.clickCount == 1 && click.ipAddress == "::1" && click.userAgent?.count == 512)
            await s.pool.close()
        }
    }

    @Test func fiftyConcurrentOpensCountFiftyAndKeepTheEarliest() async throws {
        try await withTestDatabase("conc") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            let times = (0..<50).map { StoreFixtures.date(1000 + Double($0)) }.shuffled()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, time) in times.enumerated() {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            try await s.store.recordOpen(trackingPixelId: pixel, userAgent: "UA \(index)", ip: "198.51.100.\(index)", at: time)
                        } else {
                            try await s.store.recordClick(trackingPixelId: pixel, userAgent: "UA \(index)", ip: "198.51.100.\(index)", at: time)
                            try await s.store.recordOpen(trackingPixelId: pixel, userAgent: "UA \(index)", ip: "198.51.100.\(index)", at: time)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let row = try #require(try await s.store.findByTrackingPixel(pixel))
            #expect(row.openCount == 50)
            #expect(row.openedAt == StoreFixtures.date(1000))
            #expect(row.clickCount == 25)
            let earliestClick = times.enumerated().filter { !$0.offset.isMultiple(of: 2) }.map(\.element).min()
            #expect(row.clickedAt == earliestClick)
            await s.pool.close()
        }
    }

    @Test func recordClickCountsAndKeepsTheFirst() async throws {
        try await withTestDatabase("click") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            try await s.store.recordClick(trackingPixelId: pixel, userAgent: "A", ip: "192.0.2.1", at: StoreFixtures.date(300))
            let row = try #require(try await s.store.recordClick(trackingPixelId: pixel, userAgent: "B", ip: "192.0.2.2", at: StoreFixtures.date(400)))
            #expect(row.clickCount == 2 && row.clickedAt == StoreFixtures.date(300))
            #expect(row.userAgent == "B" && row.ipAddress == "192.0.2.2")
            #expect(row.openCount == 0 && row.openedAt == nil)
            await s.pool.close()
        }
    }

    @Test func recordDeliverySetsTheFirstDeliveryOnly() async throws {
        try await withTestDatabase("deliv") { db in
            let s = try await Self.setUp(db)
            let other = try await s.store.register(threadId: s.threadId, messageId: s.messageId, recipientEmail: "Second@Example.com", recipientType: .external)
            try await s.store.recordSent(trackingPixelId: s.row.trackingPixelId, providerMessageId: "pm-1", emailMessageId: nil)
            try await s.store.recordSent(trackingPixelId: other.trackingPixelId, providerMessageId: "pm-1", emailMessageId: nil)

            let narrowed = try await s.store.recordDelivery(providerMessageId: "pm-1", recipient: "second@EXAMPLE.com", at: StoreFixtures.date(500))
            #expect(narrowed.map(\.trackingPixelId) == [other.trackingPixelId])
            #expect(narrowed.first?.deliveredAt == StoreFixtures.date(500))
            let both = try await s.store.recordDelivery(providerMessageId: "pm-1", at: StoreFixtures.date(600))
            #expect(both.count == 2)
            let byPixel = Dictionary(uniqueKeysWithValues: both.map { ($0.trackingPixelId, $0.deliveredAt) })
            #expect(byPixel[other.trackingPixelId] == StoreFixtures.date(500))
            #expect(byPixel[s.row.trackingPixelId] == StoreFixtures.date(600))
            // A repeated delivery event changes nothing.
            let repeated = try #require(try await s.store.recordDelivery(trackingPixelId: s.row.trackingPixelId, at: StoreFixtures.date(700)))
            #expect(repeated.deliveredAt == StoreFixtures.date(600))
            #expect(try await s.store.recordDelivery(providerMessageId: "pm-unknown").isEmpty)
            #expect(try await s.store.recordDelivery(trackingPixelId: String(repeating: "a", count: 32)) == nil)
            await s.pool.close()
        }
    }

    @Test func recordBounceKeepsThePermanentVerdict() async throws {
        try await withTestDatabase("bounce") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            try await s.store.recordSent(trackingPixelId: pixel, providerMessageId: "pm-b", emailMessageId: nil)
            let soft = try #require(try await s.store.recordBounce(trackingPixelId: pixel, bounceType: .soft, reason: "Mailbox full", at: StoreFixtures.date(10)))
            #expect(soft.bounceType == .soft && soft.bounceReason == "Mailbox full" && soft.bouncedAt == StoreFixtures.date(10))
            #expect(!soft.isHardBounce())
            let hard = try await s.store.recordBounce(providerMessageId: "pm-b", bounceType: .hard, reason: "550 5.1.1 user unknown", at: StoreFixtures.date(20))
            #expect(hard.count == 1)
            #expect(hard.first?.bounceType == .hard && hard.first?.isHardBounce() == true)
            // A later soft bounce does not undo the hard one.
            let after = try await s.store.recordBounce(providerMessageId: "pm-b", recipient: "CLIENT@example.com", bounceType: .soft, reason: "retry", at: StoreFixtures.date(30))
            #expect(after.first?.bounceType == .hard && after.first?.bounceReason == "550 5.1.1 user unknown" && after.first?.bouncedAt == StoreFixtures.date(20))
            let complaint = try #require(try await s.store.recordBounce(trackingPixelId: pixel, bounceType: .complaint, reason: "SpamComplaint", at: StoreFixtures.date(40)))
            #expect(complaint.bounceType == .complaint && !complaint.isHardBounce())
            #expect(try await s.store.recordBounce(providerMessageId: "pm-b", recipient: "nobody@example.com", bounceType: .hard, reason: nil).isEmpty)
            #expect(try await s.store.recordBounce(trackingPixelId: "bad", bounceType: .hard, reason: nil) == nil)
            await s.pool.close()
        }
    }

    @Test func linksAreStoredByPositionAndReplaced() async throws {
        try await withTestDatabase("links") { db in
            let s = try await Self.setUp(db)
            let pixel = s.row.trackingPixelId
            try await s.store.saveLinks(trackingPixelId: pixel, urls: ["https://app.example.com/a", "https://app.example.com/b?x=1&y=\"2\"", "mailto:team@example.com"])
            #expect(try await s.store.link(trackingPixelId: pixel, position: 1) == "https://app.example.com/b?x=1&y=\"2\"")
            #expect(try await s.store.link(trackingPixelId: pixel, position: 3) == nil)
            #expect(try await s.store.link(trackingPixelId: pixel, position: -1) == nil)
            #expect(try await s.store.link(trackingPixelId: "nope", position: 0) == nil)
            try await s.store.saveLinks(trackingPixelId: pixel, urls: ["https://app.example.com/c"])
            #expect(try await s.store.link(trackingPixelId: pixel, position: 0) == "https://app.example.com/c")
            #expect(try await s.store.link(trackingPixelId: pixel, position: 1) == nil)
            let error = try await #require(throws: PostgresError.self) {
                try await s.store.saveLinks(trackingPixelId: pixel, urls: ["javascript:alert(1)"])
            }
            #expect(error.constraintName == "discussion_email_links_url_check")
            #expect(try await s.store.link(trackingPixelId: pixel, position: 0) == "https://app.example.com/c")
            await s.pool.close()
        }
    }

    @Test func statsAreZeroWithoutRows() async throws {
        try await withTestDatabase("stats0") { db in
            let s = try await Self.setUp(db)
            #expect(try await s.store.getStatsForThread(UUID()) == .zero)
            #expect(try await s.store.getStatsForMessage(UUID()) == .zero)
            // One registered recipient, nothing sent: total 1, open rate 0 (no division by zero).
            let stats = try await s.store.getStatsForMessage(s.messageId)
            #expect(stats == TrackingStats(total: 1, sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, openRate: 0))
            await s.pool.close()
        }
    }

    @Test func statsCountRecipientsPerThreadAndMessage() async throws {
        try await withTestDatabase("stats") { db in
            let s = try await Self.setUp(db)
            let secondMessage = try await s.pool.withConnection { try await DiscussionFixtures.message($0, thread: s.threadId) }
            // Message 1: client (registered in setUp) + 2 more; message 2: 1 recipient.
            var pixels = [s.row.trackingPixelId]
            for email in ["b@example.com", "c@example.com"] {
                pixels.append(try await s.store.register(threadId: s.threadId, messageId: s.messageId, recipientEmail: email, recipientType: .external).trackingPixelId)
            }
            let lone = try await s.store.register(threadId: s.threadId, messageId: secondMessage, recipientEmail: "d@example.com", recipientType: .freelancer)
            for pixel in pixels + [lone.trackingPixelId] {
                try await s.store.recordSent(trackingPixelId: pixel, providerMessageId: nil, emailMessageId: nil)
            }
            try await s.store.recordDelivery(trackingPixelId: pixels[0])
            try await s.store.recordDelivery(trackingPixelId: pixels[1])
            for _ in 0..<3 { try await s.store.recordOpen(trackingPixelId: pixels[0], userAgent: nil, ip: nil) }
            try await s.store.recordClick(trackingPixelId: pixels[0], userAgent: nil, ip: nil)
            try await s.store.recordBounce(trackingPixelId: pixels[2], bounceType: .hard, reason: "unknown user")
            try await s.store.recordOpen(trackingPixelId: lone.trackingPixelId, userAgent: nil, ip: nil)

            let message = try await s.store.getStatsForMessage(s.messageId)
            #expect(message == TrackingStats(total: 3, sent: 3, delivered: 2, opened: 1, clicked: 1, bounced: 1, openRate: 33.33))
            let thread = try await s.store.getStatsForThread(s.threadId)
            #expect(thread == TrackingStats(total: 4, sent: 4, delivered: 2, opened: 2, clicked: 1, bounced: 1, openRate: 50))
            #expect(try await s.store.getStatsForMessage(secondMessage).openRate == 100)
            // 2 of 3 rounds up.
            try await s.store.recordOpen(trackingPixelId: pixels[1], userAgent: nil, ip: nil)
            #expect(try await s.store.getStatsForMessage(s.messageId).openRate == 66.67)
            #expect(TrackingStats.openRate(opened: 2, sent: 3) == 66.67)
            #expect(TrackingStats.openRate(opened: 5, sent: 0) == 0)
            // The admin SQL function gives the same numbers.
            let sql = try await s.pool.query("SELECT opened, open_rate::text AS rate FROM herald_tracking_stats_for_thread($1)", [s.threadId])[0]
            #expect(try sql.decode(Int.self, column: "opened") == 3)
            #expect(try sql.decode(String.self, column: "rate") == "75.00")
            await s.pool.close()
        }
    }

    @Test func statsEncodeWithTheContractName() throws {
        let json = String(decoding: try JSONEncoder().encode(TrackingStats(total: 1, sent: 1, delivered: 1, opened: 1, bounced: 0, openRate: 100)), as: UTF8.self)
        #expect(json.contains("\"open_rate\":100"))
    }
}
