import Curl
import DevTools
import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Sandbox
import Testing

/// The memory a large inbound webhook costs `herald serve`: the peak resident set (VmHWM of
/// /proc/PID/status) before and after a 30 MB post. The body is held once while parsed, each
/// attachment's base64 text is dropped once decoded: the growth stays well under the five or
/// more copies a naive path holds (body bytes, Data, decoded JSON strings, raw text, jsonb
/// parameter …). Memory, not time: the bound holds on a busy machine.
@Suite("Inbound memory: peak RSS of herald serve for a 30 MB reply")
struct InboundMemoryTests {
    static func kilobytes(_ field: String, pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    @Test func aThirtyMegabytePostGrowsThePeakByLessThanThreeCopies() async throws {
        try await withTestDatabase("in_memory") { db in
            let pool = db.pool(maximumConnections: 2)
            do {
                try await Self.measure(db: db, pool: pool)
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
        }
    }

    static func measure(db: TestDatabase, pool: PostgresPool) async throws {
        let discussion = try await InboundEndpointTests.seedDiscussion(pool)
        let port = try TemporaryPostgres.freePort()
        let serve = try CommandProcessTests.start(["serve"], environment: [
            "HERALD_DATABASE_URL": db.configuration.connectionString, "HERALD_HTTP_PORT": String(port),
            "HERALD_SECRET": "0123456789abcdef0123456789abcdef-test", "HERALD_LOG_LEVEL": "warning",
            "HERALD_POSTMARK_WEBHOOK_USER": webhookUser, "HERALD_POSTMARK_WEBHOOK_PASSWORD": webhookPassword,
        ])
        defer { serve.process.send(SIGTERM) }
        let base = "http://127.0.0.1:\(port)"
        #expect(await CommandProcessTests.waitForHTTP(base + "/healthz")?.status == 200, "\(serve.output)")
        let client = CurlClient(configuration: .init(timeout: .seconds(120), enableHTTP2: false))
        defer { client.shutdown() }
        let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)

        // Warm-up: a small reply with an attachment (code paths, pools, buffers).
        let small = PostmarkInboundMessage(from: "client@example.com", to: replyAddress, subject: "Re: Project kickoff", textBody: "Warm-up.")
        let warm = try await post(client, base + inboundPath, body: try inboundBody(small, attachments: [TestAttachment(name: "a.bin", contentType: "application/octet-stream", bytes: testBytes(count: 100_000, seed: 9))]))
        #expect(jsonObject(warm)["status"] as? String == "threaded")
        let pid = serve.process.pid
        let peakBefore = try #require(Self.kilobytes("VmHWM", pid: pid))

        let big = PostmarkInboundMessage(from: "client@example.com", to: replyAddress, subject: "Re: Project kickoff", textBody: "Photos attached.")
        let body = try inboundBody(big, attachments: [
            TestAttachment(name: "photo.jpg", contentType: "image/jpeg", bytes: testBytes(count: 16_500_000, seed: 1)),
            TestAttachment(name: "plans.pdf", contentType: "application/pdf", bytes: testBytes(count: 6_400_000, seed: 2)),
        ])
        let response = try await post(client, base + inboundPath, body: body)
        #expect(jsonObject(response)["status"] as? String == "threaded", "\(response.bodyString)")
        let peakAfter = try #require(Self.kilobytes("VmHWM", pid: pid))
        let growth = (peakAfter - peakBefore) * 1024
        print("inbound memory: body \(body.count) bytes; herald serve peak RSS \(peakBefore) kB before, \(peakAfter) kB after: +\(growth / 1_000_000) MB (\(String(format: "%.2f", Double(growth) / Double(body.count))) × the body)")
        #expect(growth < 3 * body.count, "peak grew by \(growth) bytes for a \(body.count)-byte body")
        #expect(try await count(pool, "SELECT count(*) FROM inbound_email_attachments WHERE size = 16500000") == 1)
    }
}
