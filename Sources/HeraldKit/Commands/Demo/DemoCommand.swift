import ArgumentParser
import Curl
import DevTools
import Foundation
import Logging
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import Server
import ServiceLifecycle
import UnixSignals

/// `herald demo`: Herald end to end on an embedded default — a throwaway PostgreSQL, the sandbox
/// Postmark/Twilio servers, a worker and `herald serve` in this process — then the provider's part
/// (webhooks, an open, a click, an inbound reply), and a report of what happened.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Herald end to end on a throwaway PostgreSQL and sandbox providers, and show what happened.",
        discussion: "Ends by itself, removing the database. Set HERALD_LOG_LEVEL=info to see the services' logs.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Seconds to wait for each stage before reporting what is missing.")
    var stageTimeout: Double = 30

    @Flag(name: .long, help: ArgumentHelp(
        "After the scenario, keep everything running and serve the operator console at /admin until SIGTERM/SIGINT.",
        discussion: "Adds a failed email job and a failing diagnostic job to look at. Takes HERALD_ADMIN_USER/_PASSWORD and HERALD_ADMIN_READONLY_USER/_PASSWORD from the environment (unset: loopback only)."))
    var keepRunning = false

    func run() async throws {
        var options = global
        if options.logLevel == nil && !Settings.process.isSet("HERALD_LOG_LEVEL") {
            options.logLevel = "warning"
        }
        let logger = try options.makeLogger("herald.demo")
        let clock = ContinuousClock()
        let started = clock.now
        func step(_ text: String) {
            print("[\(String(format: "%5.1f", (clock.now - started).seconds)) s] \(text)")
            fflush(nil)  // a pipe (the console's browser test) reads each step as it happens
        }

        step("Starting a throwaway PostgreSQL 15 and applying sql/ …")
        let postgres = try await startMigratedTemporaryPostgres(options: .init(fsync: false), database: "herald", logger: logger)
        defer { postgres.stop() }
        step("PostgreSQL on 127.0.0.1:\(postgres.port), schema migrated")

        let port = try TemporaryPostgres.freePort()
        let publicURL = "http://127.0.0.1:\(port)"
        // One environment for every component, so the worker signs links the server accepts.
        let settings = Settings([
            "HERALD_PUBLIC_URL": publicURL, "HERALD_HTTP_HOST": "127.0.0.1",
            "HERALD_HTTP_PORT": String(port), "HERALD_FROM_EMAIL": "notifications@demo.nexusrms.test",
            "HERALD_FROM_NAME": "NexusRMS", "HERALD_MESSAGE_ID_DOMAIN": "demo.nexusrms.test",
        ].merging(ConsoleDemo.adminEnvironment(), uniquingKeysWith: { $1 })).withSandboxSecret()
        let providers = try ProviderSettings.resolve(settings: settings, sandbox: true, logger: logger)
        let serverConfiguration = try settings.validated { try $0.server(sandbox: true) }
        let pool = PostgresPool(configuration: postgres.configuration(database: "herald"), pool: .init(maximumConnections: 24), logger: logger)
        let curl = CurlClient()
        defer { curl.shutdown() }
        let sandbox = SandboxProviders(configuration: .init(logger: logger))
        var delivery = try settings.validated { try $0.delivery() }
        delivery.digestSchedulerInterval = .milliseconds(500)
        let workerConfiguration = WorkerConfiguration(
            queues: ["default": 50], pollInterval: .milliseconds(250),
            backoff: Backoff(base: .milliseconds(200), maximum: .seconds(2)), maintenanceInterval: .milliseconds(250))
        let worker = DeliveryWorkerService(
            pool: pool, http: [curl], providers: providers, sandbox: sandbox, configuration: workerConfiguration,
            delivery: delivery, discussion: try settings.validated { try $0.discussion(sandbox: true) }, logger: logger)
        let server = HeraldServer(configuration: serverConfiguration, pool: pool, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: sandbox), .init(service: worker), .init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let outcome: Result<Void, any Error>
            do {
                try await play(
                    pool: pool, sandbox: sandbox, server: server, curl: curl, publicURL: publicURL, step: step)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            if keepRunning, case .success = outcome {
                // Until SIGTERM/SIGINT, which gracefully stops the service group.
                try await ConsoleDemo.seed(pool: pool, sandbox: sandbox, step: step, wait: { what, condition in
                    try await waitFor(what, step: step, condition)
                })
                step("Database: \(postgres.configuration(database: "herald").connectionString)")
                step("Console ready at \(publicURL)/admin (Ctrl-C to stop)")
                try await tasks.waitForAll()
                return
            }
            step("Shutting down (graceful: in-flight jobs finish, tracking writes flush) …")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try outcome.get()
        }
        await pool.close()
        step("Done; the throwaway database is removed.")
    }

    private func play(
        pool: PostgresPool, sandbox: SandboxProviders, server: HeraldServer, curl: CurlClient, publicURL: String,
        step: (String) -> Void
    ) async throws {
        let sandboxPort = await sandbox.waitUntilRunning()
        _ = await server.waitUntilRunning()
        step("Sandbox Postmark/Twilio on 127.0.0.1:\(sandboxPort); herald serve on \(publicURL); worker running")

        let scenario = DemoScenario()
        try await pool.withConnection { connection in
            try await scenario.seed(on: connection)
            try await scenario.notify(on: connection)
        }
        step("Tenant with email integration on; users alice (daily, SMS on), bob (weekly), carol (never), dave (monthly)")
        step("Enqueued: urgent → alice, high → carol (digest never), low → carol, and older normal/low items for bob and dave")
        let messageID = try await pool.withConnection { try await scenario.postMessage(on: $0) }
        step("Alice posted in the thread \"Kick-off: website redesign\" (participants: Erin client_contact, Frank freelancer, Grace external)")

        try await waitFor("notifications routed, emails, SMS and digests sent", step: step) {
            let row = try await pool.query("""
                SELECT (SELECT count(*) FROM notifications WHERE routed_at IS NULL) AS unrouted,
                       (SELECT count(*) FROM notifications WHERE priority IN ('urgent', 'high') AND email_sent_at IS NULL) AS unsent,
                       (SELECT count(*) FROM notifications WHERE sms_sid IS NULL AND priority = 'urgent') AS no_sms,
                       (SELECT count(*) FROM digests WHERE email_sent_at IS NOT NULL) AS digests
                """)[0]
            return try row.decode(Int.self, column: "unrouted") == 0 && row.decode(Int.self, column: "unsent") == 0
                && row.decode(Int.self, column: "no_sms") == 0 && row.decode(Int.self, column: "digests") >= 2
        }
        try await waitFor("the thread message fanned out", step: step) {
            try await pool.query("SELECT count(*) FROM discussion_email_tracking WHERE message_id = $1 AND sent_at IS NOT NULL", [messageID])[0]
                .decode(Int.self, at: 0) >= 3
        }
        let emails = sandbox.receivedEmails()
        step("The sandbox Postmark accepted \(emails.count) email(s) and the sandbox Twilio \(sandbox.receivedSMS().count) SMS")

        // The provider's part.
        let webhookAuth = BasicAuth(username: ServerConfiguration.sandboxWebhookUser, password: ServerConfiguration.sandboxWebhookPassword)
        let threadEmails = emails.filter { $0.htmlBody?.contains("/t/") == true }
        for email in emails {
            let recipient = email.toAddresses.first ?? email.to
            if recipient.hasPrefix("grace@") {
                _ = try await sandbox.postPostmarkWebhook(
                    PostmarkBounceEvent(type: .hardBounce, of: email), to: publicURL + "/webhooks/postmark", basicAuth: webhookAuth, client: curl)
            } else {
                _ = try await sandbox.postPostmarkWebhook(
                    PostmarkDeliveryEvent(email: email), to: publicURL + "/webhooks/postmark", basicAuth: webhookAuth, client: curl)
            }
        }
        step("Postmark webhooks: Delivery for each email, a HardBounce for grace@bounces.example")
        for sms in sandbox.receivedSMS() {
            if let callback = sms.statusCallback {
                _ = try await sandbox.postTwilioStatusCallback(
                    TwilioStatusCallback(sms: sms, status: .delivered), to: callback,
                    authToken: TwilioConfiguration.sandboxAuthToken, client: curl)
            }
        }
        step("Twilio status callback: SMS delivered (signed with X-Twilio-Signature)")

        guard let erinEmail = threadEmails.first(where: { $0.toAddresses.first?.hasPrefix("erin@") == true }),
              let html = erinEmail.htmlBody
        else {
            step("Erin's discussion email was not found in the sandbox; skipping open, click and reply")
            return
        }
        if let pixel = firstMatch(#"https?://[^"']+/t/[0-9a-zA-Z_-]+\.gif"#, in: html) {
            var request = Curl.HTTPRequest(url: pixel)
            request.headers = [HTTPHeader("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko)")]
            let response = try await curl.execute(request)
            step("Erin opened the email: GET \(pixel.replacingOccurrences(of: publicURL, with: "")) → \(response.status) \(response.header("Content-Type") ?? "")")
        }
        if let click = firstMatch(#"https?://[^"']+/c/[0-9a-zA-Z_-]+"#, in: html) {
            let response = try await curl.execute(Curl.HTTPRequest(url: click))
            step("Erin clicked a link: → \(response.status) Location: \(response.header("Location") ?? "-")")
            var forged = click
            forged.removeLast()
            forged.append(click.hasSuffix("A") ? "B" : "A")
            let refused = try await curl.execute(Curl.HTTPRequest(url: forged))
            step("A forged click token: → \(refused.status), Location: \(refused.header("Location") ?? "none")")
        }
        let reply = PostmarkInboundMessage(
            from: "erin@client.example", fromName: "Erin Client", to: erinEmail.replyTo ?? "", subject: "Re: " + erinEmail.subject,
            textBody: "Thanks Alice, works for me. See you Monday!\n\nOn Sun, Alice Martin wrote:\n> Hi all — the kick-off notes are at …",
            strippedTextReply: "Thanks Alice, works for me. See you Monday!",
            inReplyTo: erinEmail.header("Message-ID"), references: [erinEmail.header("Message-ID")].compactMap { $0 })
        let inbound = try await sandbox.postPostmarkWebhook(reply, to: publicURL + "/webhooks/postmark/inbound", basicAuth: webhookAuth, client: curl)
        _ = try await sandbox.postPostmarkWebhook(reply, to: publicURL + "/webhooks/postmark/inbound", basicAuth: webhookAuth, client: curl)
        step("Erin replied by email (Reply-To \(erinEmail.replyTo ?? "?")): inbound webhook → \(inbound.status); the retried webhook adds nothing")
        // Erin's email was forwarded; someone else answers her reply address. Kept, not threaded.
        let forwarded = PostmarkInboundMessage(
            from: "mallory@elsewhere.example", fromName: "Mallory", to: erinEmail.replyTo ?? "", subject: "Re: " + erinEmail.subject,
            textBody: "Please send the invoice to my address instead.", inReplyTo: erinEmail.header("Message-ID"))
        let held = try await sandbox.postPostmarkWebhook(forwarded, to: publicURL + "/webhooks/postmark/inbound", basicAuth: webhookAuth, client: curl)
        let answer = (try? JSONSerialization.jsonObject(with: Data(held.body))) as? [String: Any] ?? [:]
        step("Someone else answered Erin's reply address (a forwarded copy): → \(held.status) \(answer["status"] as? String ?? "?") (\(answer["reason"] as? String ?? "?")); kept in herald_unmatched_inbound, not threaded")
        try await waitFor("the reply threaded and fanned out", step: step) {
            let row = try await pool.query("""
                SELECT (SELECT count(*) FROM communication_messages WHERE thread_id = $1 AND source = 'email') AS replies,
                       (SELECT count(*) FROM discussion_email_tracking t JOIN communication_messages m ON m.id = t.message_id
                         WHERE m.thread_id = $1 AND m.source = 'email' AND t.sent_at IS NOT NULL) AS fanned
                """, [scenario.thread])[0]
            return try row.decode(Int.self, column: "replies") == 1 && row.decode(Int.self, column: "fanned") >= 1
        }
        print(try await scenario.report(pool: pool))
    }

    private func waitFor(_ what: String, step: (String) -> Void, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(stageTimeout * 1000))
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true {
                step("✓ \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        step("✗ timed out waiting for: \(what) (the report below shows how far it got)")
    }

    private func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
        return String(text[range])
    }
}
