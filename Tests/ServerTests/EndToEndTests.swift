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

/// The whole loop: an app message → the trigger's `message.fanout` job → a real JobWorker sends
/// through the Postmark sandbox → the pixel, a click, a Delivery webhook (matched by the MessageID
/// Postmark returned) and an inbound reply over HTTP → the reply is fanned out to the others.
@Suite("Discussion email loop end to end")
struct EndToEndTests {
    @Test func messageToEmailToTrackingToReplyAndBack() async throws {
        try await SandboxProviders.withRunning { sandbox in
            let providerHTTP = CurlClient()
            defer { providerHTTP.shutdown() }
            let postmark = PostmarkClient(
                // The worker below runs no maintenance, so no stager would ever retry a send that timed
                // out on a busy machine: give the sandbox all the time it needs.
                configuration: PostmarkConfiguration(
                    serverToken: PostmarkConfiguration.sandboxServerToken, apiURL: await sandbox.postmarkURL, requestTimeout: .seconds(180)),
                httpClient: providerHTTP)
            try await withServer("srv_e2e") { base, pool, client in
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

                    let tenant = UUID()
                    try await CommunicationSettingsStore(pool: pool).update(tenantId: tenant, emailIntegrationEnabled: true, emailReplyDomain: "reply.example.test")
                    let thread = try await DiscussionFixtures.thread(pool, tenant: tenant, subject: "Kickoff")
                    try await pool.query(
                        "INSERT INTO communication_thread_participants (thread_id, email, recipient_type) VALUES ($1, 'client@example.com', 'client_contact'), ($1, 'free@example.com', 'freelancer')",
                        [thread])
                    let message = try await pool.query(
                        "INSERT INTO communication_messages (thread_id, author_user_id, body) VALUES ($1, gen_random_uuid(), 'See https://nexus.example.com/x') RETURNING id",
                        [thread])[0].decode(UUID.self, at: 0)

                    #expect(await eventually { sandbox.receivedEmails().count == 2 })
                    let emails = sandbox.receivedEmails()
                    let toClient = try #require(emails.first { $0.toAddresses == ["client@example.com"] })
                    let store = DiscussionEmailTrackingStore(pool: pool)
                    let row = try #require(try await store.findByMessage(message).first { $0.recipientEmail == "client@example.com" })
                    #expect(row.providerMessageId == toClient.messageID)

                    // Open through the pixel, click through the rewritten link, delivery webhook.
                    _ = try await get(client, "\(base)/t/\(row.trackingPixelId).gif")
                    let html = try #require(toClient.htmlBody)
                    let clickPath = try #require(html.range(of: "https://herald.example.test/c/").map { html[$0.upperBound...].prefix { $0 != "\"" } })
                    let click = try await get(client, "\(base)/c/\(clickPath)")
                    #expect(click.status == 302)
                    #expect(click.header("Location") == "https://nexus.example.com/x")
                    let delivered = try await sandbox.postPostmarkWebhook(
                        PostmarkDeliveryEvent(email: toClient), to: base + "/webhooks/postmark", basicAuth: BasicAuth(username: webhookUser, password: webhookPassword))
                    #expect(delivered.status == 200)
                    let stats = try await store.getStatsForMessage(message)
                    #expect(stats.sent == 2 && stats.delivered == 1 && stats.opened == 1 && stats.clicked == 1 && stats.openRate == 50)

                    // The client replies to the Reply-To address; the reply goes on to the freelancer only.
                    let replyTo = try #require(toClient.replyTo)
                    let messageIDHeader = try #require(toClient.headers.first { $0.name == "Message-ID" }?.value)
                    let reply = PostmarkInboundMessage(
                        from: "client@example.com", to: replyTo, subject: "Re: Kickoff", textBody: "Thanks!\n\n> See https://nexus.example.com/x",
                        strippedTextReply: "Thanks!", emailMessageID: "<client-reply@mail.example.com>", inReplyTo: messageIDHeader)
                    let answer = try await sandbox.postPostmarkWebhook(reply, to: base + "/webhooks/postmark/inbound", basicAuth: BasicAuth(username: webhookUser, password: webhookPassword))
                    #expect(answer.status == 200)
                    #expect(await eventually { sandbox.receivedEmails().count == 3 })
                    let forwarded = try #require(sandbox.receivedEmails().last)
                    #expect(forwarded.toAddresses == ["free@example.com"])
                    #expect(forwarded.textBody?.hasPrefix("Thanks!") == true)
                    #expect(forwarded.headers.first { $0.name == "In-Reply-To" }?.value == messageIDHeader)

                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }
}

