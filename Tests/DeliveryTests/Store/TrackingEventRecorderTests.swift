import Discussions
import Foundation
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Testing

@Suite("TrackingEventRecorder")
struct TrackingEventRecorderTests {
    /// `count` tracked recipients of one message; returns their pixel ids.
    static func pixels(_ pool: PostgresPool, count: Int) async throws -> [String] {
        try await pool.withConnection { c in
            let thread = try await DiscussionFixtures.thread(c)
            let message = try await DiscussionFixtures.message(c, thread: thread)
            var pixels: [String] = []
            for index in 0..<count {
                pixels.append(try await DiscussionFixtures.tracking(c, thread: thread, message: message, email: "r\(index)@example.com"))
            }
            return pixels
        }
    }

    /// Runs `body` while `recorder.run()` runs, then cancels it and waits for it to finish.
    static func running<T: Sendable>(_ recorder: TrackingEventRecorder, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await recorder.run() }
            do {
                let value = try await body()
                group.cancelAll()
                try await group.waitForAll()
                return value
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    @Test func twoThousandConcurrentOpensOverTwentyPixelsAreExactAndBatched() async throws {
        try await withTestDatabase("rec2000") { db in
            let pool = db.pool()
            let pixels = try await Self.pixels(pool, count: 20)
            let recorder = TrackingEventRecorder(pool: pool)
            // 100 opens per pixel at distinct times, submitted in random order.
            let events = (0..<2000).map { (pixel: pixels[$0 % 20], at: StoreFixtures.date(Double($0))) }.shuffled()
            let found = try await Self.running(recorder) {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for (index, event) in events.enumerated() {
                        group.addTask {
                            try await recorder.recordOpen(trackingPixelId: event.pixel, userAgent: "UA/\(index)", ip: "10.0.\(index / 256).\(index % 256)", at: event.at)
                        }
                    }
                    return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
                }
            }
            #expect(found == 2000)
            let store = DiscussionEmailTrackingStore(pool: pool)
            for (index, pixel) in pixels.enumerated() {
                let row = try #require(try await store.findByTrackingPixel(pixel))
                #expect(row.openCount == 100)
                // The earliest of this pixel's events is event number `index`.
                #expect(row.openedAt == StoreFixtures.date(Double(index)))
                #expect(row.clickCount == 0)
            }
            #expect(recorder.committedEvents == 2000)
            // Group commit: far fewer statements than events.
            #expect(recorder.committedBatches < 1000)
            #expect(recorder.pendingCount == 0)
            await pool.close()
        }
    }

    @Test func oneBatchAggregatesOpensAndClicksPerPixelAndSkipsUnknownIds() async throws {
        try await withTestDatabase("recmix") { db in
            let pool = db.pool()
            let pixels = try await Self.pixels(pool, count: 2)
            let recorder = TrackingEventRecorder(pool: pool)
            let unknown = String(repeating: "9", count: 32)
            let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                group.addTask { ("open0-early", try await recorder.recordOpen(trackingPixelId: pixels[0], userAgent: "early", ip: "192.0.2.1", at: StoreFixtures.date(1))) }
                group.addTask { ("open0-late", try await recorder.recordOpen(trackingPixelId: pixels[0], userAgent: "late", ip: "bogus", at: StoreFixtures.date(5))) }
                group.addTask { ("click0", try await recorder.recordClick(trackingPixelId: pixels[0], userAgent: "clicker", ip: "192.0.2.3", at: StoreFixtures.date(3))) }
                group.addTask { ("click1", try await recorder.recordClick(trackingPixelId: pixels[1], userAgent: nil, ip: nil, at: StoreFixtures.date(4))) }
                group.addTask { ("unknown", try await recorder.recordOpen(trackingPixelId: unknown, userAgent: nil, ip: nil)) }
                // Malformed: answered at once, never queued.
                #expect(try await recorder.recordOpen(trackingPixelId: "not a pixel", userAgent: nil, ip: nil) == false)
                // All five wait for run(), so they form one batch.
                while recorder.pendingCount < 5 { try await Task.sleep(for: .milliseconds(5)) }
                return try await Self.running(recorder) {
                    try await group.reduce(into: ["malformed": false]) { $0[$1.0] = $1.1 }
                }
            }
            #expect(results == ["open0-early": true, "open0-late": true, "click0": true, "click1": true, "unknown": false, "malformed": false])
            #expect(recorder.committedBatches == 1)
            let store = DiscussionEmailTrackingStore(pool: pool)
            let first = try #require(try await store.findByTrackingPixel(pixels[0]))
            #expect(first.openCount == 2 && first.openedAt == StoreFixtures.date(1))
            #expect(first.clickCount == 1 && first.clickedAt == StoreFixtures.date(3))
            // User agent and IP of the latest event (the late open, whose IP was invalid).
            #expect(first.userAgent == "late" && first.ipAddress == nil)
            let second = try #require(try await store.findByTrackingPixel(pixels[1]))
            #expect(second.openCount == 0 && second.clickCount == 1 && second.clickedAt == StoreFixtures.date(4))
            await pool.close()
        }
    }

    @Test func aRefusedBatchIsRetriedEventByEventSoOnlyTheBadEventFails() async throws {
        try await withTestDatabase("recbad") { db in
            let pool = db.pool()
            let pixels = try await Self.pixels(pool, count: 2)
            // This pixel's counter cannot take one more: the batch UPDATE overflows.
            try await pool.query("UPDATE discussion_email_tracking SET open_count = 2147483647 WHERE tracking_pixel_id = $1", [pixels[1]])
            let recorder = TrackingEventRecorder(pool: pool)
            let (good, bad) = try await withThrowingTaskGroup(of: (Int, Result<Bool, any Error>).self) { group in
                for index in 0..<2 {
                    group.addTask {
                        do {
                            return (index, .success(try await recorder.recordOpen(trackingPixelId: pixels[index], userAgent: nil, ip: nil)))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                while recorder.pendingCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
                let results = try await Self.running(recorder) {
                    try await group.reduce(into: [Int: Result<Bool, any Error>]()) { $0[$1.0] = $1.1 }
                }
                return (try results[0]?.get() ?? false, results[1] ?? .success(true))
            }
            #expect(good)
            guard case .failure(let error) = bad else {
                Issue.record("the overflowing open should have failed")
                return
            }
            #expect((error as? PostgresError)?.sqlState == "22003")
            // The one batch statement failed; both events were then written alone.
            #expect(recorder.committedBatches == 0)
            let counts = try await pool.query("SELECT tracking_pixel_id, open_count FROM discussion_email_tracking ORDER BY open_count")
            #expect(try counts.map { try $0.decode(Int.self, column: "open_count") } == [1, 2147483647])
            await pool.close()
        }
    }

    @Test func shutdownWritesEverythingAcceptedThenRefusesNewEvents() async throws {
        try await withTestDatabase("recstop") { db in
            let pool = db.pool()
            let pixels = try await Self.pixels(pool, count: 1)
            let recorder = TrackingEventRecorder(pool: pool, configuration: .init(maximumDelay: .milliseconds(50)))
            try await withThrowingTaskGroup(of: Bool.self) { group in
                // Accepted before run() starts: they wait for it.
                for _ in 0..<10 {
                    group.addTask { try await recorder.recordOpen(trackingPixelId: pixels[0], userAgent: nil, ip: nil) }
                }
                while recorder.pendingCount < 10 { try await Task.sleep(for: .milliseconds(5)) }
                // A run that is cancelled at once still drains what it accepted.
                let runner = Task { try await recorder.run() }
                runner.cancel()
                try await runner.value
                let results = try await group.reduce(into: [Bool]()) { $0.append($1) }
                #expect(results == Array(repeating: true, count: 10))
            }
            let row = try await pool.query("SELECT open_count FROM discussion_email_tracking WHERE tracking_pixel_id = $1", [pixels[0]])
            #expect(try row[0].decode(Int.self, column: "open_count") == 10)
            let refused = try await #require(throws: DeliveryError.self) {
                try await recorder.recordOpen(trackingPixelId: pixels[0], userAgent: nil, ip: nil)
            }
            #expect(refused.code == .recorderShutDown)
            let again = try await #require(throws: DeliveryError.self) { try await recorder.run() }
            #expect(again.code == .recorderAlreadyRunning)
            await pool.close()
        }
    }

    @Test func aFullQueueRefusesInsteadOfGrowing() async throws {
        try await withTestDatabase("recfull") { db in
            let pool = db.pool()
            let pixels = try await Self.pixels(pool, count: 1)
            let recorder = TrackingEventRecorder(pool: pool, configuration: .init(queueCapacity: 3))
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await recorder.recordClick(trackingPixelId: pixels[0], userAgent: nil, ip: nil) }
                }
                while recorder.pendingCount < 3 { try await Task.sleep(for: .milliseconds(5)) }
                let overflow = try await #require(throws: DeliveryError.self) {
                    try await recorder.recordClick(trackingPixelId: pixels[0], userAgent: nil, ip: nil)
                }
                #expect(overflow.code == .recorderOverloaded)
                try await Self.running(recorder) {
                    let results = try await group.reduce(into: [Bool]()) { $0.append($1) }
                    #expect(results == [true, true, true])
                }
            }
            let row = try await pool.query("SELECT click_count FROM discussion_email_tracking WHERE tracking_pixel_id = $1", [pixels[0]])
            #expect(try row[0].decode(Int.self, column: "click_count") == 3)
            await pool.close()
        }
    }

    @Test func batchesLimitedBySize() async throws {
        try await withTestDatabase("recsize") { db in
            let pool = db.pool()
            let pixels = try await Self.pixels(pool, count: 3)
            let recorder = TrackingEventRecorder(pool: pool, configuration: .init(maximumBatchSize: 10, maximumDelay: .zero))
            try await Self.running(recorder) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<300 {
                        group.addTask { try await recorder.recordOpen(trackingPixelId: pixels[index % 3], userAgent: nil, ip: nil) }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(recorder.committedEvents == 300)
            #expect(recorder.committedBatches >= 30)
            let total = try await pool.query("SELECT sum(open_count)::bigint AS n FROM discussion_email_tracking")
            #expect(try total[0].decode(Int.self, column: "n") == 300)
            await pool.close()
        }
    }
}
