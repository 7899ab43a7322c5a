import Curl
import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Sandbox
import Server
import Testing

/// Big replies: the inbound route takes Postmark's largest webhook (35 MB of files), keeps every
/// attachment decoded in `inbound_email_attachments` linked to the message, and other routes keep
/// their small limit.
@Suite("Inbound replies with attachments")
struct InboundAttachmentTests {
    static func replyAddress(_ discussion: InboundEndpointTests.Discussion) -> String {
        ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
    }

    @Test func aThirtyMegabyteReplyWithAttachmentsIsStoredAndLinkedToItsMessage() async throws {
        try await withServer("srv_in_30mb") { base, pool, client in
            let discussion = try await InboundEndpointTests.seedDiscussion(pool)
            let photo = testBytes(count: 16_500_000, seed: 1)
            let plans = testBytes(count: 6_400_000, seed: 2)
            let logo = testBytes(count: 2_000, seed: 3)
            let message = PostmarkInboundMessage(
                from: "client@example.com", to: Self.replyAddress(discussion), subject: "Re: Project kickoff",
                textBody: "Photos of the kitchen attached.\n\nOn Mon, 2 Mar 2026 at 10:00, Herald <h@x> wrote:\n> Welcome",
                htmlBody: "<div>Photos of the kitchen attached.<img src=\"cid:logo@x\"></div>", strippedTextReply: "", inReplyTo: discussion.rootMessageID)
            let body = try inboundBody(message, attachments: [
                TestAttachment(name: "kitchen 🇫🇷.jpg", contentType: "image/jpeg", bytes: photo),
                TestAttachment(name: "plans.pdf", contentType: "application/pdf", bytes: plans),
                TestAttachment(name: "logo.png", contentType: "image/png", contentID: "<logo@x>", bytes: logo),
            ])
            #expect(body.count > 30_000_000)
            let response = try await post(client, base + inboundPath, body: body)
            #expect(response.status == 200, "\(response.bodyString)")
            #expect(jsonObject(response)["status"] as? String == "threaded")
            let messageID = try #require(UUID(uuidString: jsonObject(response)["message_id"] as? String ?? ""))

            let rows = try await pool.query(
                """
                SELECT a.position, a.name, a.content_type, a.size, a.content_id, md5(a.content) AS md5, a.message_id, i.attachment_count,
                       octet_length(i.raw::text) AS raw_size
                  FROM inbound_email_attachments a JOIN inbound_emails i ON i.id = a.inbound_email_id ORDER BY a.position
                """)
            #expect(rows.count == 3)
            let expected: [(String, String, [UInt8], String?)] = [
                ("kitchen 🇫🇷.jpg", "image/jpeg", photo, nil), ("plans.pdf", "application/pdf", plans, nil), ("logo.png", "image/png", logo, "logo@x"),
            ]
            for (row, (name, type, bytes, contentID)) in zip(rows, expected) {
                #expect(try row.decode(String.self, column: "name") == name)
                #expect(try row.decode(String.self, column: "content_type") == type)
                #expect(try row.decode(Int.self, column: "size") == bytes.count)
                #expect(try row.decode(String?.self, column: "content_id") == contentID)
                let sent = try await pool.query("SELECT md5($1::bytea) AS md5", [Data(bytes)])[0].decode(String.self, column: "md5")
                #expect(try row.decode(String.self, column: "md5") == sent)
                #expect(try row.decode(UUID?.self, column: "message_id") == messageID)
                #expect(try row.decode(Int.self, column: "attachment_count") == 3)
                // The stored payload does not hold the files a second time.
                #expect(try row.decode(Int.self, column: "raw_size") < 100_000)
            }
            let text = try await pool.query("SELECT body FROM communication_messages WHERE id = $1", [messageID])
            #expect(try text.first?.decode(String.self, column: "body") == "Photos of the kitchen attached.")
        }
    }

    @Test func bodyLimitsArePerRoute() async throws {
        var configuration = testServerConfiguration(maximumBodySize: 1 << 20)
        configuration.maximumInboundBodySize = 4 << 20
        try await withServer("srv_in_limits", configuration: configuration) { base, pool, client in
            let discussion = try await InboundEndpointTests.seedDiscussion(pool)
            let photo = testBytes(count: 1_600_000, seed: 4)  // the 1.6 MB photo: 413 before
            let message = PostmarkInboundMessage(
                from: "client@example.com", to: Self.replyAddress(discussion), subject: "Re: Project kickoff", textBody: "Here is the photo.")
            let fits = try await post(client, base + inboundPath, body: try inboundBody(message, attachments: [TestAttachment(name: "p.jpg", contentType: "image/jpeg", bytes: photo)]))
            #expect(fits.status == 200)
            #expect(jsonObject(fits)["status"] as? String == "threaded")
            // Beyond the inbound limit: 413, nothing stored.
            let tooBig = PostmarkInboundMessage(from: "client@example.com", to: Self.replyAddress(discussion), subject: "Re", textBody: "Too big.")
            let refused = try await post(client, base + inboundPath, body: try inboundBody(tooBig, attachments: [TestAttachment(name: "big.bin", contentType: "application/octet-stream", bytes: testBytes(count: 4_000_000, seed: 5))]))
            #expect(refused.status == 413)
            #expect(try await count(pool, "SELECT count(*) FROM inbound_emails") == 1)
            // The other webhook keeps the 1 MiB limit.
            let other = try await post(client, base + "/webhooks/postmark", body: Array(repeating: UInt8(ascii: " "), count: 2 << 20))
            #expect(other.status == 413)
        }
    }

    @Test func anHTMLOnlyReplyIsConvertedAndThreaded() async throws {
        try await withServer("srv_in_html") { base, pool, client in
            let discussion = try await InboundEndpointTests.seedDiscussion(pool)
            let message = PostmarkInboundMessage(
                from: "client@example.com", to: Self.replyAddress(discussion), subject: "Re: Project kickoff", textBody: "",
                htmlBody: """
                    <div dir="ltr">Friday works &amp; I&#39;ll bring the <b>contracts</b>.<br></div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Herald wrote:</div><blockquote class="gmail_quote">Welcome</blockquote></div>
                    """,
                strippedTextReply: "")
            let response = try await post(client, base + inboundPath, body: try inboundBody(message))
            #expect(jsonObject(response)["status"] as? String == "threaded", "\(response.bodyString)")
            let rows = try await InboundEndpointTests.messages(pool, thread: discussion.thread)
            #expect(try rows.first?.decode(String.self, column: "body") == "Friday works & I'll bring the contracts.")
        }
    }
}

