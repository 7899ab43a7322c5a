import Curl
import Discussions
import Foundation
import Mail
import Postgres
import Server
import Testing

@Suite("Pixel and click endpoints over HTTP")
struct TrackingEndpointTests {
    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    @Test func knownPixelAnswersTheGIFAfterRecordingTheOpen() async throws {
        try await withServer("srv_pixel") { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            let response = try await get(client, "\(base)/t/\(email.pixel).gif", headers: [HTTPHeader("User-Agent", "Mail/1.0")])
            #expect(response.status == 200)
            #expect(response.body == Self.gif)
            #expect(response.header("Content-Type") == "image/gif")
            #expect(response.header("Cache-Control")?.contains("no-store") == true)
            #expect(response.header("Pragma") == "no-cache")
            // Answered only after commit: the row shows the open right away.
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(row.openCount == 1)
            #expect(row.openedAt != nil)
            #expect(row.userAgent == "Mail/1.0")
            #expect(row.ipAddress == "127.0.0.1")
        }
    }

    @Test func unknownAndMalformedPixelsGetTheSameGIF() async throws {
        try await withServer("srv_pixel_unknown") { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            for path in ["/t/\(TrackingPixelID.generate().rawValue).gif", "/t/nope.gif", "/t/%27%3B%20DROP%20TABLE%20x.gif", "/t/\(String(repeating: "a", count: 500)).gif"] {
                let response = try await get(client, base + path)
                #expect(response.status == 200, "\(path)")
                #expect(response.body == Self.gif, "\(path)")
                #expect(response.header("Cache-Control")?.contains("no-store") == true)
            }
            #expect(try await trackingRow(pool, pixel: email.pixel)?.openCount == 0)
        }
    }

    @Test func concurrentOpensAllCountAndTheFirstTimestampStays() async throws {
        try await withServer("srv_pixel_concurrent") { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            _ = try await get(client, "\(base)/t/\(email.pixel).gif")
            let first = try #require(try await trackingRow(pool, pixel: email.pixel)?.openedAt)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        var ok = 0
                        for _ in 0..<10 where try await get(client, "\(base)/t/\(email.pixel).gif").status == 200 { ok += 1 }
                        return ok
                    }
                }
                var total = 0
                for try await ok in group { total += ok }
                #expect(total == 200)
            }
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(row.openCount == 201)
            #expect(row.openedAt == first)
        }
    }

    @Test func forwardedForIsIgnoredFromUntrustedPeers() async throws {
        try await withServer("srv_xff_untrusted") { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            _ = try await get(client, "\(base)/t/\(email.pixel).gif", headers: [HTTPHeader("X-Forwarded-For", "203.0.113.9")])
            #expect(try await trackingRow(pool, pixel: email.pixel)?.ipAddress == "127.0.0.1")
        }
    }

    @Test func forwardedForIsReadThroughTrustedProxies() async throws {
        let configuration = testServerConfiguration(trustedProxies: try TrustedProxies(parsing: "127.0.0.0/8, 10.0.0.0/8"))
        try await withServer("srv_xff_trusted", configuration: configuration) { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            // The client forged the left entry; the proxy chain appended the real one and 10.1.2.3.
            _ = try await get(client, "\(base)/t/\(email.pixel).gif", headers: [HTTPHeader("X-Forwarded-For", "1.1.1.1, 198.51.100.7, 10.1.2.3")])
            #expect(try await trackingRow(pool, pixel: email.pixel)?.ipAddress == "198.51.100.7")
        }
    }

    @Test func clickRecordsAndRedirectsOnlyToTheSignedURL() async throws {
        try await withServer("srv_click") { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            let pixel = try #require(TrackingPixelID(rawValue: email.pixel))
            let token = try ClickToken(trackingPixelID: pixel, linkIndex: 0, url: "https://nexus.example.com/quotes/42?a=1&b=2").signed(with: testKey)
            let response = try await get(client, "\(base)/c/\(token)")
            #expect(response.status == 302)
            #expect(response.header("Location") == "https://nexus.example.com/quotes/42?a=1&b=2")
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(row.clickCount == 1)
            #expect(row.clickedAt != nil)
        }
    }

    @Test func forgedOrAlteredClickTokensGet400AndNoRedirect() async throws {
        try await withServer("srv_click_forged") { base, pool, client in
            let email = try await seedTrackedEmail(pool)
            let pixel = try #require(TrackingPixelID(rawValue: email.pixel))
            let good = try ClickToken(trackingPixelID: pixel, linkIndex: 0, url: "https://nexus.example.com/a").signed(with: testKey)
            var altered = Array(good)
            altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
            let otherKey = try TokenSigningKey(secret: Array("another-secret-another-secret-another".utf8))
            let foreign = try ClickToken(trackingPixelID: pixel, linkIndex: 0, url: "https://evil.example.net/").signed(with: otherKey)
            for token in [String(altered), foreign, "garbage", String(repeating: "A", count: 9000)] {
                let response = try await get(client, "\(base)/c/\(token)")
                #expect(response.status == 400)
                #expect(response.header("Location") == nil)
            }
            #expect(try await trackingRow(pool, pixel: email.pixel)?.clickCount == 0)
        }
    }
}
