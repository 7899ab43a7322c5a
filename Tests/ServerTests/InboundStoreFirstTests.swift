import Curl
import DevTools
import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Providers
import Sandbox
import Server
import Testing

/// Store first: every authenticated inbound webhook is in `inbound_emails` before anything can
/// fail; hostile input never gets a 5xx; a processing error is kept with its error and processed
/// again by `herald inbound reprocess ID` or by Postmark's retry.
@Suite("Inbound webhooks are stored first")
struct InboundStoreFirstTests {
    @Test func hostilePayloadsAreStoredAndNeverAnswered5xx() async throws {
        try await withServer("srv_in_hostile") { base, pool, client in
            let discussion = try await InboundEndpointTests.seedDiscussion(pool)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            let flagName = String(repeating: "🇫🇷", count: 106)  // 212 code points, 106 graphemes: the HTTP 500 of the issue
            var bodies: [(String, [UInt8])] = [
                ("empty", []), ("null", Array("null".utf8)), ("array", Array("[]".utf8)), ("string", Array("\"x\"".utf8)),
                ("truncated", Array("{\"From\": \"a@b".utf8)), ("deep", Array(deep.utf8)), ("invalid UTF-8", [0x7B, 0xFF, 0xFE, 0x7D]),
                ("lone surrogate", Array(#"{"TextBody": "\ud800"}"#.utf8)),
                ("wrong types", Array(#"{"From": 5, "FromFull": "x", "Headers": "x", "Attachments": {"a": 1}, "TextBody": ["x"]}"#.utf8)),
                ("NUL everywhere", Array(#"{"From": "a\u0000@example.com", "MessageID": "\u0000", "TextBody": "hi\u0000", "Headers": [{"Name": "Message-ID", "Value": "<\u0000@x>"}]}"#.utf8)),
                ("bad attachment", Array(#"{"From": "x@example.com", "Attachments": [{"Name": null, "Content": "!!not base64!!", "ContentType": "a\r\nb"}, 7]}"#.utf8)),
            ]
            func message(_ label: String, fromName: String = "", subject: String = "Re: Project kickoff", messageID: String = UUID().uuidString,
                         emailMessageID: String? = nil, headers: [PostmarkHeader] = [], text: String = "Fine.") -> PostmarkInboundMessage {
                PostmarkInboundMessage(
                    from: "client@example.com", fromName: fromName, to: replyAddress, subject: subject, textBody: text, strippedTextReply: "",
                    emailMessageID: emailMessageID, extraHeaders: headers, messageID: messageID)
            }
            bodies.append(("huge provider id", try inboundBody(message("x", messageID: String(repeating: "m", count: 5_000)))))
            bodies.append(("huge Message-ID", try inboundBody(message("x", emailMessageID: "<" + String(repeating: "i", count: 100_000) + "@x.example>"))))
            bodies.append(("huge subject", try inboundBody(message("x", subject: String(repeating: "é", count: 300_000)))))
            bodies.append(("huge header", try inboundBody(message("x", headers: [PostmarkHeader(name: "References", value: String(repeating: "<a@b> ", count: 50_000))]))))
            bodies.append(("flag name", try inboundBody(message("x", fromName: flagName))))
            bodies.append(("combining name", try inboundBody(message("x", fromName: String(repeating: "e\u{301}", count: 150)))))

            for (label, body) in bodies {
                let response = try await post(client, base + inboundPath, body: body)
                #expect(response.status < 500, "\(label): \(response.status) \(response.bodyString)")
                #expect(response.status == 200 || response.status == 400, "\(label): \(response.status)")
                #expect(jsonObject(response)["inbound_id"] != nil || jsonObject(response)["status"] as? String == "threaded", "\(label)")
            }
            // Every post is a row of its own: nothing was lost.
            #expect(try await count(pool, "SELECT count(*) FROM inbound_emails") == bodies.count)
            #expect(try await count(pool, "SELECT count(*) FROM inbound_emails WHERE status = 'received'") == 0)
            // The flag name of 212 code points is threaded, cut to 200 code points between two flags.
            let names = try await pool.query("SELECT author_name FROM communication_messages WHERE source = 'email' AND author_name LIKE '🇫🇷%'")
            let name = try #require(try names.first?.decode(String.self, column: "author_name"))
            #expect(name.unicodeScalars.count == 200)
            #expect(name == String(repeating: "🇫🇷", count: 100))
        }
    }

    @Test func anUnauthenticatedPostStoresNothing() async throws {
        try await withServer("srv_in_noauth") { base, pool, client in
            let response = try await post(client, base + inboundPath, body: Array("{}".utf8), auth: BasicAuth(username: webhookUser, password: "wrong"))
            #expect(response.status == 401)
            #expect(try await count(pool, "SELECT count(*) FROM inbound_emails") == 0)
        }
    }

    @Test func aProcessingErrorIsKeptThenReprocessedByTheCLIAndByARetry() async throws {
        try await withServer("srv_in_reprocess") { base, pool, client in
            let discussion = try await InboundEndpointTests.seedDiscussion(pool)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            // A fault while threading: the message insert fails.
            try await pool.query(
                """
                CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'test fault: messages are refused'; END $$
                """)
            try await pool.query("CREATE TRIGGER test_refuse BEFORE INSERT ON communication_messages FOR EACH ROW EXECUTE FUNCTION test_refuse()")
            func reply(_ id: String, _ text: String) throws -> [UInt8] {
                try inboundBody(PostmarkInboundMessage(
                    from: "client@example.com", to: replyAddress, subject: "Re: Project kickoff", textBody: text, strippedTextReply: "",
                    emailMessageID: "<\(id)@mail.example.com>", inReplyTo: discussion.rootMessageID, messageID: id))
            }
            let first = try await post(client, base + inboundPath, body: try reply("r-1", "First answer."))
            let second = try await post(client, base + inboundPath, body: try reply("r-2", "Second answer."))
            for response in [first, second] {
                #expect(response.status == 200)
                #expect(jsonObject(response)["status"] as? String == "failed")
                #expect((jsonObject(response)["detail"] as? String)?.contains("test fault") == false, "the answer carries no internal error")
            }
            let failedId = try #require(jsonObject(first)["inbound_id"] as? String)
            let row = try #require(try await pool.query("SELECT status, reason, error, attempts, text_body FROM inbound_emails WHERE id = $1::uuid", [failedId]).first)
            #expect(try row.decode(String.self, column: "status") == "failed")
            #expect(try row.decode(String?.self, column: "reason") == "processing_error")
            #expect(try row.decode(String?.self, column: "error")?.contains("test fault: messages are refused") == true)
            #expect(try row.decode(Int.self, column: "attempts") == 1)
            #expect(try row.decode(String?.self, column: "text_body") == "First answer.")
            #expect(try await count(pool, "SELECT count(*) FROM herald_unmatched_inbound WHERE status = 'failed' AND NOT releasable") == 2)

            try await pool.query("DROP TRIGGER test_refuse ON communication_messages")
            // The operator's command.
            let cli = try await runHerald(["inbound", "reprocess", failedId], databaseURL: pool.connectionConfiguration.connectionString)
            #expect(cli.status == 0, "\(cli.output)")
            #expect(cli.output.contains("threaded"))
            // Postmark's retry of the second webhook processes it again.
            let retried = try await post(client, base + inboundPath, body: try reply("r-2", "Second answer."))
            #expect(jsonObject(retried)["status"] as? String == "threaded")

            let bodies = try await pool.query("SELECT body FROM communication_messages WHERE source = 'email' ORDER BY body").map { try $0.decode(String.self, column: "body") }
            #expect(bodies == ["First answer.", "Second answer."])
            #expect(try await count(pool, "SELECT count(*) FROM inbound_emails WHERE status = 'threaded' AND attempts = 2") == 2)
            // Reprocessing a threaded row is refused, with a reason.
            let again = try await runHerald(["inbound", "reprocess", failedId], databaseURL: pool.connectionConfiguration.connectionString)
            #expect(again.status != 0)
            #expect(again.output.contains("processed already"))
        }
    }
}

/// Runs the `herald` binary to completion with `HERALD_DATABASE_URL` set; output is stdout + stderr.
func runHerald(_ arguments: [String], databaseURL: String) async throws -> (status: Int32, output: String) {
    let log = NSTemporaryDirectory() + "herald-cli-\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    var environment = ProcessInfo.processInfo.environment
    environment["HERALD_DATABASE_URL"] = databaseURL
    environment["HERALD_SECRET"] = "0123456789abcdef0123456789abcdef-test"  // testKey's secret
    let process = try ChildProcess.spawn(try TestProcess.heraldBinary(), arguments, environment: environment, stdout: .file(log), stderr: .file(log))
    let status = await process.exitStatus()
    return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}
