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
import Synchronization
import Testing

/// Captures what the fan-out hands to the provider, and sends it on to the strict sandbox
/// (docs/providers.md), whose answer is the provider's: an email Postmark would refuse fails here.
final class SentEmails: Sendable {
    let postmark: PostmarkClient
    init(postmark: PostmarkClient) { self.postmark = postmark }
    private let emails = Mutex<[ComposedEmail]>([])
    private let failFor = Mutex<Set<String>>([])
    func failing(_ address: String) { failFor.withLock { _ = $0.insert(address) } }
    func succeed() { failFor.withLock { $0 = [] } }
    var all: [ComposedEmail] { emails.withLock { $0 } }
    func reset() { emails.withLock { $0 = [] } }

    func send(_ email: ComposedEmail) async -> PostmarkSendResult {
        if failFor.withLock({ $0.contains(email.recipientAddress) }) {
            return PostmarkSendResult(outcome: .retryable(reason: "HTTP 503", alertOperator: false), httpStatus: 503)
        }
        let result = await postmark.send(postmark.request(for: email))
        if result.outcome == .success { emails.withLock { $0.append(email) } }
        return result
    }
}

@Suite("message.fanout: discussion emails")
struct DiscussionFanoutTests {
    static let key: TokenSigningKey = {
        do { return try TokenSigningKey(secret: Array("fanout-test-secret-fanout-test-secret!".utf8)) } catch { fatalError("\(error)") }
    }()

    struct Fixture {
        var pool: PostgresPool
        var tenant: UUID
        var thread: UUID
        var staff: UUID
        var sent: SentEmails
        var handler: DiscussionFanoutHandler

        func post(_ body: String, author: UUID? = nil, authorEmail: String? = nil, parent: UUID? = nil) async throws -> UUID {
            try await pool.query(
                "INSERT INTO communication_messages (thread_id, author_user_id, author_email, body, parent_message_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                [thread, author, authorEmail, body, parent])[0].decode(UUID.self, at: 0)
        }

        func stored(_ message: UUID) async throws -> (id: String?, inReplyTo: String?) {
            let row = try await pool.query("SELECT email_message_id, email_in_reply_to FROM communication_messages WHERE id = $1", [message])[0]
            return (try row.decode(String?.self, column: "email_message_id"), try row.decode(String?.self, column: "email_in_reply_to"))
        }
    }

    static func withFixture(_ label: String, integration: Bool = true, _ body: (Fixture) async throws -> Void) async throws {
        try await withTestDatabase(label) { db in
          var sandboxConfiguration = SandboxProviders.Configuration()
          sandboxConfiguration.logger = DeliveryHarness.logger
          try await SandboxProviders.withRunning(configuration: sandboxConfiguration) { sandbox in
            let pool = db.pool()
            let tenant = UUID()
            try await CommunicationSettingsStore(pool: pool).update(
                tenantId: tenant, emailIntegrationEnabled: integration, emailReplyDomain: "reply.example.com",
                signature: "Kind regards,\nThe Nexus team", fromEmail: "team@nexus.example.com", fromName: "Nexus")
            let thread = try await DiscussionFixtures.thread(pool, tenant: tenant, subject: "Kickoff")
            let staff = UUID()
            try await pool.query(
                """
                INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type, user_id) VALUES
                  ($1, 'client@example.com', 'Client Person', 'client_contact', NULL),
                  ($1, 'free@example.com', 'Free Lancer', 'freelancer', NULL),
                  ($1, 'staff@nexus.example.com', 'Staff', 'external', $2)
                """, [thread, staff])
            let sent = SentEmails(postmark: PostmarkClient(
                configuration: PostmarkConfiguration(serverToken: sandbox.configuration.postmarkServerToken, apiURL: await sandbox.postmarkURL),
                httpClient: DeliveryHarness.http, logger: DeliveryHarness.logger))
            let composer = try EmailComposer(
                configuration: .init(publicURL: "https://herald.example.com", messageIDDomain: "mail.nexus.example.com", messageIDPerRecipient: false),
                signingKey: key)
            let handler = DiscussionFanoutHandler(pool: pool, composer: composer, defaultFrom: "herald@example.com", logger: Logger(label: "t")) { email in
                await sent.send(email)
            }
            do {
                try await body(Fixture(pool: pool, tenant: tenant, thread: thread, staff: staff, sent: sent, handler: handler))
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
          }
        }
    }

    @Test func threeGenerationsChainTheirHeaders() async throws {
        try await Self.withFixture("fan_chain") { f in
            let m1 = try await f.post("First, see https://nexus.example.com/p/1.", author: f.staff)
            #expect(try await f.handler.fanOut(messageId: m1) == .completed)
            let first = f.sent.all
            #expect(Set(first.map(\.recipientAddress)) == ["client@example.com", "free@example.com"])
            let id1 = try #require(try await f.stored(m1).id)
            #expect(first.allSatisfy { $0.messageID.value == id1 && $0.header("Message-ID") == id1 && $0.header("X-PM-KeepID") == "true" })
            #expect(first.allSatisfy { $0.inReplyTo == nil && $0.header("References") == nil && $0.subject == "Kickoff" })
            #expect(try await f.stored(m1).inReplyTo == nil)

            f.sent.reset()
            let m2 = try await f.post("Second", author: f.staff)
            _ = try await f.handler.fanOut(messageId: m2)
            let id2 = try #require(try await f.stored(m2).id)
            #expect(try await f.stored(m2).inReplyTo == id1)
            for email in f.sent.all {
                #expect(email.header("In-Reply-To") == id1)
                #expect(email.header("References") == id1)
                #expect(email.subject == "Re: Kickoff")
            }

            f.sent.reset()
            let m3 = try await f.post("Third", author: f.staff, parent: m2)
            _ = try await f.handler.fanOut(messageId: m3)
            let id3 = try #require(try await f.stored(m3).id)
            #expect(Set([id1, id2, id3]).count == 3)
            #expect(try await f.stored(m3).inReplyTo == id2)
            for email in f.sent.all {
                #expect(email.header("In-Reply-To") == id2)
                #expect(email.header("References") == "\(id1) \(id2)")
                #expect(email.subject == "Re: Kickoff")
            }
        }
    }

    @Test func eachEmailCarriesReplyToSignaturePixelAndTrackedLinks() async throws {
        try await Self.withFixture("fan_parts") { f in
            let m1 = try await f.post("Please look at https://nexus.example.com/quote/7 today.", author: f.staff)
            _ = try await f.handler.fanOut(messageId: m1)
            let email = try #require(f.sent.all.first { $0.recipientAddress == "client@example.com" })
            let replyTo = try #require(email.replyTo)
            #expect(replyTo.hasPrefix("reply+") && replyTo.hasSuffix("@reply.example.com"))
            let token = try ReplyToken.verify(address: replyTo, key: Self.key)
            #expect(token.threadID == f.thread)
            #expect(token.matches(recipient: "client@example.com"))
            #expect(email.textBody.contains("The Nexus team"))
            #expect(email.htmlBody.contains("The Nexus team"))
            #expect(email.htmlBody.contains("https://herald.example.com/t/\(email.trackingPixelID.rawValue).gif"))
            #expect(!email.htmlBody.contains("href=\"https://nexus.example.com/quote/7\""))
            #expect(email.trackedLinks.map(\.url) == ["https://nexus.example.com/quote/7"])
            #expect(email.from.contains("team@nexus.example.com"))

            let rows = try await DiscussionEmailTrackingStore(pool: f.pool).findByMessage(m1)
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.sentAt != nil && $0.providerMessageId != nil && $0.emailMessageId == email.messageID.value })
            let row = try #require(rows.first { $0.recipientEmail == "client@example.com" })
            #expect(row.trackingPixelId == email.trackingPixelID.rawValue)
            #expect(row.recipientType == .clientContact)
            #expect(try await DiscussionEmailTrackingStore(pool: f.pool).link(trackingPixelId: row.trackingPixelId, position: 0) == "https://nexus.example.com/quote/7")
        }
    }

    @Test func theAuthorIsNeverEmailed() async throws {
        try await Self.withFixture("fan_author") { f in
            let m1 = try await f.post("From the client by email", authorEmail: "CLIENT@example.com")
            _ = try await f.handler.fanOut(messageId: m1)
            #expect(Set(f.sent.all.map(\.recipientAddress)) == ["free@example.com", "staff@nexus.example.com"])
        }
    }

    @Test func nothingIsSentWithIntegrationOff() async throws {
        try await Self.withFixture("fan_off", integration: false) { f in
            let m1 = try await f.post("Hello", author: f.staff)
            #expect(try await f.handler.fanOut(messageId: m1) == .completed)
            #expect(f.sent.all.isEmpty)
            #expect(try await DiscussionEmailTrackingStore(pool: f.pool).findByMessage(m1).isEmpty)
            // And the trigger enqueued no job.
            #expect(try await f.pool.query("SELECT count(*) FROM herald_jobs WHERE kind = 'message.fanout'")[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test func theTriggerEnqueuesTheJobWhenIntegrationIsOn() async throws {
        try await Self.withFixture("fan_trigger") { f in
            let m1 = try await f.post("Hello", author: f.staff)
            let args = try await f.pool.query("SELECT args->>'message_id' FROM herald_jobs WHERE kind = 'message.fanout'")
            #expect(try args.first?.decode(String.self, at: 0) == m1.uuidString.lowercased())
        }
    }

    @Test func retriesResendOnlyToRecipientsNotYetSent() async throws {
        try await Self.withFixture("fan_retry") { f in
            f.sent.failing("free@example.com")
            let m1 = try await f.post("Hello", author: f.staff)
            let first = try await f.handler.fanOut(messageId: m1)
            guard case .retry(_, _) = first else { Issue.record("expected a retry, got \(first)"); return }
            #expect(f.sent.all.map(\.recipientAddress) == ["client@example.com"])
            let pixelBefore = try await DiscussionEmailTrackingStore(pool: f.pool).findByMessage(m1).first { $0.recipientEmail == "free@example.com" }?.trackingPixelId
            f.sent.succeed()
            f.sent.reset()
            #expect(try await f.handler.fanOut(messageId: m1) == .completed)
            #expect(f.sent.all.map(\.recipientAddress) == ["free@example.com"])
            #expect(f.sent.all.first?.trackingPixelID.rawValue == pixelBefore)
            f.sent.reset()
            #expect(try await f.handler.fanOut(messageId: m1) == .completed)
            #expect(f.sent.all.isEmpty)
        }
    }

    @Test func suppressedAddressesAreSkipped() async throws {
        try await Self.withFixture("fan_suppressed") { f in
            try await SuppressionList(pool: f.pool).add("free@example.com", reason: "hard bounce", bounceType: .hard, source: "test")
            let m1 = try await f.post("Hello", author: f.staff)
            _ = try await f.handler.fanOut(messageId: m1)
            #expect(f.sent.all.map(\.recipientAddress) == ["client@example.com"])
        }
    }

    @Test func inboundAuthorNamesWithLineBreaksNeverReachAHeader() async throws {
        try await Self.withFixture("fan_crlf") { f in
            // What InboundReplyService would store is already single-line; the composer is the
            // second line of defence for anything in the database.
            let m1 = try await f.post("<b>not markup</b> & text", author: f.staff)
            try await f.pool.query("UPDATE communication_settings SET from_name = 'Nexus Bcc: x@evil.example' WHERE tenant_id = $1", [f.tenant])
            _ = try await f.handler.fanOut(messageId: m1)
            for email in f.sent.all {
                for value in [email.from, email.to, email.subject, email.replyTo ?? ""] + email.headers.map(\.value) {
                    #expect(!value.contains("\r") && !value.contains("\n"))
                }
                #expect(email.htmlBody.contains("&lt;b&gt;not markup&lt;/b&gt; &amp; text"))
            }
        }
    }
}

@Suite("Discussion email body")
struct DiscussionEmailBodyTests {
    @Test func escapesAndLinksURLs() {
        let html = DiscussionEmailBody.html("Hi <there> & see https://a.example/x?y=1&z=2.\n\nBye")
        #expect(html.contains("Hi &lt;there&gt; &amp; see <a href=\"https://a.example/x?y=1&amp;z=2\">https://a.example/x?y=1&amp;z=2</a>."))
        #expect(html.contains("<p>Bye</p>"))
        #expect(!DiscussionEmailBody.html("javascript:alert(1) \"><script>").contains("<script>"))
    }
}
