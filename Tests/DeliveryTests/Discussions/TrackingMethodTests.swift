import Discussions
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Postgres
import Testing

/// Every DiscussionEmailTracking method of MISSION.md against PostgreSQL, including the
/// first-only semantics under concurrent events, and the stats.
@Suite("DiscussionEmailTracking methods")
struct TrackingMethodTests {
    static func seed(_ pool: PostgresPool, recipients: Int) async throws -> (thread: UUID, message: UUID, pixels: [String]) {
        let thread = try await DiscussionFixtures.thread(pool, subject: "s")
        let message = try await pool.query("INSERT INTO communication_messages (thread_id, body) VALUES ($1, 'b') RETURNING id", [thread])[0].decode(UUID.self, at: 0)
        let store = DiscussionEmailTrackingStore(pool: pool)
        var pixels: [String] = []
        for index in 0..<recipients {
            let row = try await store.register(threadId: thread, messageId: message, recipientEmail: "r\(index)@example.com", recipientType: .external)
            try await store.recordSent(trackingPixelId: row.trackingPixelId, providerMessageId: "pm-\(index)-\(message)", emailMessageId: nil)
            pixels.append(row.trackingPixelId)
        }
        return (thread, message, pixels)
    }

    @Test func opensAndClicksCountAndKeepTheFirstTime() async throws {
        try await withTestDatabase("trk_open") { db in
            let pool = db.pool()
            let store = DiscussionEmailTrackingStore(pool: pool)
            let (_, _, pixels) = try await Self.seed(pool, recipients: 1)
            let early = Date(timeIntervalSince1970: 1_700_000_000)
            try await store.recordOpen(trackingPixelId: pixels[0], userAgent: "A", ip: "192.0.2.1", at: early.addingTimeInterval(10))
            let row = try #require(try await store.recordOpen(trackingPixelId: pixels[0], userAgent: "B", ip: "not-an-ip", at: early))
            #expect(row.openCount == 2)
            #expect(row.openedAt == early)
            #expect(row.userAgent == "B")
            #expect(row.ipAddress == nil)
            try await store.recordClick(trackingPixelId: pixels[0], userAgent: "C", ip: "2001:db8::1", at: early.addingTimeInterval(5))
            let clicked = try #require(try await store.recordClick(trackingPixelId: pixels[0], userAgent: "C", ip: "2001:db8::1", at: early.addingTimeInterval(50)))
            #expect(clicked.clickCount == 2)
            #expect(clicked.clickedAt == early.addingTimeInterval(5))
            #expect(try await store.recordOpen(trackingPixelId: TrackingPixelID.generate().rawValue, userAgent: nil, ip: nil) == nil)
            await pool.close()
        }
    }

    @Test func deliveryCountsOnlyTheFirstAndBouncesClassify() async throws {
        try await withTestDatabase("trk_delivery") { db in
            let pool = db.pool()
            let store = DiscussionEmailTrackingStore(pool: pool)
            let (_, _, pixels) = try await Self.seed(pool, recipients: 2)
            let first = Date(timeIntervalSince1970: 1_700_000_000)
            try await store.recordDelivery(trackingPixelId: pixels[0], at: first)
            #expect(try await store.recordDelivery(trackingPixelId: pixels[0], at: first.addingTimeInterval(100))?.deliveredAt == first)
            let hard = try #require(try await store.recordBounce(trackingPixelId: pixels[1], bounceType: .hard, reason: "550 no such user"))
            #expect(hard.isHardBounce())
            #expect(hard.bounceReason == "550 no such user")
            let soft = try #require(try await store.recordBounce(trackingPixelId: pixels[0], bounceType: .soft, reason: "mailbox full"))
            #expect(!soft.isHardBounce())
            #expect(try await store.recordBounce(trackingPixelId: pixels[0], bounceType: .complaint, reason: "spam")?.bounceType == .complaint)
            #expect(try await store.findByTrackingPixel(pixels[1])?.recipientEmail == "r1@example.com")
            #expect(try await store.findByTrackingPixel("nope") == nil)
            await pool.close()
        }
    }

    @Test func concurrentEventsKeepExactCountsAndTheEarliestTimes() async throws {
        try await withTestDatabase("trk_concurrent") { db in
            let pool = db.pool(maximumConnections: 8)
            let store = DiscussionEmailTrackingStore(pool: pool)
            let recorder = TrackingEventRecorder(pool: pool, logger: Logger(label: "t"))
            let (_, _, pixels) = try await Self.seed(pool, recipients: 1)
            let base = Date(timeIntervalSince1970: 1_700_000_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await recorder.run() }
                try await withThrowingTaskGroup(of: Void.self) { events in
                    for index in 0..<100 {
                        let at = base.addingTimeInterval(Double(100 - index))
                        events.addTask {
                            if index.isMultiple(of: 2) {
                                try await recorder.recordOpen(trackingPixelId: pixels[0], userAgent: "ua", ip: "192.0.2.9", at: at)
                            } else {
                                try await store.recordOpen(trackingPixelId: pixels[0], userAgent: "ua", ip: "192.0.2.9", at: at)
                            }
                            try await store.recordDelivery(trackingPixelId: pixels[0], at: at)
                            try await recorder.recordClick(trackingPixelId: pixels[0], userAgent: "ua", ip: nil, at: at)
                        }
                    }
                    try await events.waitForAll()
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            let row = try #require(try await store.findByTrackingPixel(pixels[0]))
            #expect(row.openCount == 100)
            #expect(row.clickCount == 100)
            #expect(row.openedAt == base.addingTimeInterval(1))
            #expect(row.clickedAt == base.addingTimeInterval(1))
            #expect(row.deliveredAt == base.addingTimeInterval(1))
            await pool.close()
        }
    }

    @Test func statsAreZeroForNothingAndCountRecipientsOtherwise() async throws {
        try await withTestDatabase("trk_stats") { db in
            let pool = db.pool()
            let store = DiscussionEmailTrackingStore(pool: pool)
            #expect(try await store.getStatsForThread(UUID()) == .zero)
            #expect(try await store.getStatsForMessage(UUID()) == .zero)
            let (thread, message, pixels) = try await Self.seed(pool, recipients: 3)
            try await store.recordDelivery(trackingPixelId: pixels[0])
            try await store.recordDelivery(trackingPixelId: pixels[1])
            try await store.recordOpen(trackingPixelId: pixels[0], userAgent: nil, ip: nil)
            try await store.recordOpen(trackingPixelId: pixels[0], userAgent: nil, ip: nil)
            try await store.recordBounce(trackingPixelId: pixels[2], bounceType: .hard, reason: "x")
            let stats = try await store.getStatsForThread(thread)
            #expect(stats == TrackingStats(total: 3, sent: 3, delivered: 2, opened: 1, clicked: 0, bounced: 1, openRate: 33.33))
            #expect(try await store.getStatsForMessage(message) == stats)
            await pool.close()
        }
    }
}
