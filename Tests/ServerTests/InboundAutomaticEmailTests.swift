import Curl
import Discussions
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import Server
import ServiceLifecycle
import Testing

/// No automatic email (auto-reply, bounce) ever becomes a discussion message or triggers an email:
/// each signal is kept in `inbound_emails` with its own status and the signal, nothing reaches the
/// Postmark sandbox, and a delivery report is recorded on the tracking row it names.
@Suite("Automatic email stays out of threads")
struct InboundAutomaticEmailTests {
    /// The signals of the issue, one out-of-office email each.
    static let signals: [(label: String, status: String, subject: String, from: String, headers: [PostmarkHeader], parts: [TestAttachment])] = [
        ("Auto-Submitted", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "Auto-Submitted", value: "auto-replied")], []),
        ("Auto-Submitted auto-generated", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "Auto-Submitted", value: "auto-generated; reason=vacation")], []),
        ("X-Autoreply", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "X-Autoreply", value: "yes")], []),
        ("X-Autorespond", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "X-Autorespond", value: "Out of office")], []),
        ("Precedence auto_reply", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "Precedence", value: "auto_reply")], []),
        ("Precedence bulk", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "Precedence", value: "bulk")], []),
        ("Precedence junk", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "Precedence", value: "junk")], []),
        ("Precedence list", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "Precedence", value: "list")], []),
        ("X-Auto-Response-Suppress", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "X-Auto-Response-Suppress", value: "All")], []),
        ("Exchange inbox rules loop", "auto_reply", "Re: Project kickoff", "client@example.com", [PostmarkHeader(name: "X-MS-Exchange-Inbox-Rules-Loop", value: "client@example.com")], []),
        ("Exchange subject", "auto_reply", "Automatic reply: Project kickoff", "client@example.com", [], []),
        ("German subject", "auto_reply", "Automatische Antwort: Project kickoff", "client@example.com", [], []),
        ("French subject", "auto_reply", "Réponse automatique : Project kickoff", "client@example.com", [], []),
        ("Spanish subject", "auto_reply", "Respuesta automática: Project kickoff", "client@example.com", [], []),
        ("Italian subject", "auto_reply", "Risposta automatica: Project kickoff", "client@example.com", [], []),
        ("Dutch subject", "auto_reply", "Automatisch antwoord: Project kickoff", "client@example.com", [], []),
        ("Portuguese subject", "auto_reply", "Resposta automática: Project kickoff", "client@example.com", [], []),
        ("Out of Office subject", "auto_reply", "Out of Office: Project kickoff", "client@example.com", [], []),
        ("multipart/report", "bounce", "Re: Project kickoff", "client@example.com",
         [PostmarkHeader(name: "Content-Type", value: "multipart/report; report-type=delivery-status; boundary=\"b1\"")], []),
        ("delivery-status part", "bounce", "Delivery Status Notification (Failure)", "client@example.com", [],
         [TestAttachment(name: "details.txt", contentType: "message/delivery-status", bytes: Array("Final-Recipient: rfc822; nobody@example.org\nAction: failed\nStatus: 5.1.1\n".utf8))]),
        ("MAILER-DAEMON", "bounce", "Undelivered Mail Returned to Sender", "MAILER-DAEMON@mx.example.com", [], []),
        ("postmaster", "bounce", "Re: Project kickoff", "postmaster@example.com", [], []),
    ]

    @Test func everySignalIsKeptWithItsReasonAndSendsNoEmail() async throws {
        try await SandboxProviders.withRunning { sandbox in
            let providerHTTP = CurlClient()
            defer { providerHTTP.shutdown() }
            let postmark = PostmarkClient(
                // The worker below runs no maintenance, so no stager would ever retry a send that timed
                // out on a busy machine: give the sandbox all the time it needs.
                configuration: PostmarkConfiguration(
                    serverToken: PostmarkConfiguration.sandboxServerToken, apiURL: await sandbox.postmarkURL, requestTimeout: .seconds(180)),
                httpClient: providerHTTP)
            try await withServer("srv_in_auto") { base, pool, client in
                let composer = try EmailComposer(
                    configuration: .init(publicURL: "https://herald.example.test", messageIDDomain: "mail.example.test", messageIDPerRecipient: false),
                    signingKey: testKey)
                let handlers = DiscussionHandlers.all(pool: pool, composer: composer, postmark: postmark, defaultFrom: "team@example.test", logger: Logger(label: "t"))
                let worker = JobWorker(
                    pool: pool, registry: JobHandlerRegistry(handlers),
                    configuration: WorkerConfiguration(queues: ["default": 4], claimBatchSize: 10, pollInterval: .milliseconds(100), runsMaintenance: false))
                let group = ServiceGroup(configuration: .init(services: [worker], gracefulShutdownSignals: [], logger: Logger(label: "t")))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    defer { tasks.cancelAll() }
                    let discussion = try await InboundEndpointTests.seedDiscussion(pool)
                    // The seeded root message was fanned out to both participants: wait for those two.
                    #expect(await eventually(timeout: .seconds(60)) { sandbox.receivedEmails().count == 2 })
                    let before = sandbox.receivedEmails().count
                    let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)

                    for signal in Self.signals {
                        let message = PostmarkInboundMessage(
                            from: signal.from, to: replyAddress, subject: signal.subject,
                            textBody: "I am out of the office until Monday.\n\nOn Mon, Herald wrote:\n> Welcome", strippedTextReply: "I am out of the office until Monday.",
                            inReplyTo: discussion.rootMessageID, references: [discussion.rootMessageID], extraHeaders: signal.headers)
                        let response = try await post(client, base + inboundPath, body: try inboundBody(message, attachments: signal.parts))
                        #expect(response.status == 200, "\(signal.label)")
                        let answer = jsonObject(response)
                        #expect(answer["status"] as? String == signal.status, "\(signal.label): \(answer)")
                        let id = try #require(answer["inbound_id"] as? String, "\(signal.label)")
                        let row = try #require(try await pool.query(
                            "SELECT status, reason, auto_signal, message_id FROM inbound_emails WHERE id = $1::uuid", [id]).first)
                        #expect(try row.decode(String.self, column: "status") == signal.status, "\(signal.label)")
                        #expect(try row.decode(String?.self, column: "reason") == signal.status, "\(signal.label)")
                        #expect(try row.decode(String?.self, column: "auto_signal")?.isEmpty == false, "\(signal.label)")
                        #expect(try row.decode(UUID?.self, column: "message_id") == nil, "\(signal.label)")
                    }
                    #expect(try await count(pool, "SELECT count(*) FROM communication_messages WHERE source = 'email'") == 0)
                    #expect(try await count(pool, "SELECT count(*) FROM herald_unmatched_inbound WHERE status IN ('auto_reply', 'bounce') AND NOT releasable") == Self.signals.count)

                    // A genuine reply afterwards is relayed to the freelancer: once its email has
                    // arrived, every earlier one would have too. Only that one came.
                    let genuine = PostmarkInboundMessage(
                        from: "client@example.com", to: replyAddress, subject: "Re: Project kickoff", textBody: "Back at my desk: agreed.",
                        inReplyTo: discussion.rootMessageID)
                    let answer = try await post(client, base + inboundPath, body: try inboundBody(genuine))
                    #expect(jsonObject(answer)["status"] as? String == "threaded")
                    #expect(await eventually(timeout: .seconds(60)) { sandbox.receivedEmails().count == before + 1 })
                    let relayed = sandbox.receivedEmails().dropFirst(before)
                    #expect(relayed.count == 1)
                    #expect(relayed.first?.textBody?.hasPrefix("Back at my desk: agreed.") == true)

                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }

    @Test func anOperatorCannotReleaseAutomaticEmail() async throws {
        try await withServer("srv_in_auto_release") { base, pool, client in
            let discussion = try await InboundEndpointTests.seedDiscussion(pool)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            let message = PostmarkInboundMessage(
                from: "client@example.com", to: replyAddress, subject: "Automatic reply: Project kickoff", textBody: "Away until Monday.")
            let id = try #require(jsonObject(try await post(client, base + inboundPath, body: try inboundBody(message)))["inbound_id"] as? String)
            let service = InboundReplyService(pool: pool, key: testKey, logger: Logger(label: "t"))
            await #expect(throws: DeliveryError.self) { try await service.release(inboundId: try #require(UUID(uuidString: id))) }
            await #expect(throws: DeliveryError.self) { try await service.reprocess(inboundId: try #require(UUID(uuidString: id))) }
            #expect(try await count(pool, "SELECT count(*) FROM communication_messages WHERE source = 'email'") == 0)
            #expect(try await count(pool, "SELECT count(*) FROM inbound_emails WHERE status = 'auto_reply'") == 1)
        }
    }

    @Test func aDeliveryReportIsRecordedOnTheTrackingRowItNames() async throws {
        try await withServer("srv_in_bounce") { base, pool, client in
            let email = try await seedTrackedEmail(pool, recipient: "fitter@example.org")
            let other = try await seedTrackedEmail(pool, recipient: "someone@example.org")
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            let messageID = try #require(row.emailMessageId)
            // A DSN sent to the reply address by the recipient's server: the failed recipient in the
            // delivery-status part, the original Message-ID in the returned headers.
            let dsn = PostmarkInboundMessage(
                from: "MAILER-DAEMON@mx.example.org", to: "reply+unknowntoken00000000@reply.example.com", subject: "Undelivered Mail Returned to Sender",
                textBody: "This is the mail system at host mx.example.org.\n\nI'm sorry to have to inform you that your message could not be delivered.")
            let parts = [
                TestAttachment(name: "", contentType: "message/delivery-status", bytes: Array(
                    "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; fitter@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <fitter@example.org>: Recipient address rejected: User unknown\n".utf8)),
                TestAttachment(name: "", contentType: "text/rfc822-headers", bytes: Array("From: Herald <herald@herald.test>\nMessage-ID: \(messageID)\nSubject: Quote\n".utf8)),
            ]
            let response = try await post(client, base + inboundPath, body: try inboundBody(dsn, attachments: parts))
            let answer = jsonObject(response)
            #expect(answer["status"] as? String == "bounce")
            #expect(answer["tracking_bounces"] as? Int == 1)
            let bounced = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(bounced.bounceType == .hard)
            #expect(bounced.bouncedAt != nil)
            #expect(bounced.bounceReason?.contains("5.1.1") == true)
            #expect(try await trackingRow(pool, pixel: other.pixel)?.bouncedAt == nil)
            #expect(try await count(pool, "SELECT count(*) FROM inbound_email_attachments") == 2)
        }
    }

    @Test func aDelayReportNamingOnlyTheRecipientMarksItsLatestEmailSoft() async throws {
        try await withServer("srv_in_bounce_rcpt") { base, pool, client in
            let email = try await seedTrackedEmail(pool, recipient: "slow@example.org")
            let dsn = PostmarkInboundMessage(
                from: "postmaster@mx.example.org", to: "reply+unknowntoken00000000@reply.example.com", subject: "Delivery delayed",
                textBody: "Final-Recipient: rfc822; Slow@Example.org\nAction: delayed\nStatus: 4.2.2\nDiagnostic-Code: smtp; 452 mailbox full\n")
            let answer = jsonObject(try await post(client, base + inboundPath, body: try inboundBody(dsn)))
            #expect(answer["status"] as? String == "bounce")
            #expect(answer["tracking_bounces"] as? Int == 1)
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(row.bounceType == .soft)
            #expect(row.bounceReason?.contains("452 mailbox full") == true)
            #expect(try await count(pool, "SELECT count(*) FROM communication_messages WHERE source = 'email'") == 0)
        }
    }
}
