import Discussions
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Notifications
import Postgres
import Providers
import Sandbox
import Testing

@Suite("InboundReplyService: sender verification")
struct InboundReplyServiceTests {
    static let key: TokenSigningKey = {
        do { return try TokenSigningKey(secret: Array("inbound-test-secret-inbound-test-secret!".utf8)) } catch { fatalError("\(error)") }
    }()

    struct Fixture {
        var pool: PostgresPool
        var service: InboundReplyService
        var logs: CapturingLogHandler
        var thread: UUID
        var clientUser: UUID
        var clientParticipant: UUID
        var clientToken: String
        var root: UUID
        var rootMessageID: String

        /// The signed reply address of the email sent to client@example.com.
        var clientReplyAddress: String {
            ReplyToken(threadID: thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: InboundReplyServiceTests.key)
        }

        func receive(_ message: PostmarkInboundMessage) async throws -> InboundReplyOutcome {
            try await receive(json: String(decoding: try message.jsonBody(), as: UTF8.self))
        }

        func receive(json: String) async throws -> InboundReplyOutcome {
            let payload = try JSONDecoder().decode(PostmarkInboundPayload.self, from: Data(json.utf8))
            return try await service.receive(payload, raw: json)
        }

        func count(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> Int {
            try await pool.query(sql, parameters)[0].decode(Int.self, at: 0)
        }

        var emailMessages: Int {
            get async throws { try await count("SELECT count(*) FROM communication_messages WHERE source = 'email'") }
        }

        /// Fan-out jobs of replies (the root app message has its own, from the insert trigger).
        var fanoutJobs: Int {
            get async throws {
                try await count(
                    """
                    SELECT count(*) FROM herald_jobs j JOIN communication_messages m ON j.args ->> 'message_id' = m.id::text
                     WHERE j.kind = 'message.fanout' AND m.source = 'email'
                    """)
            }
        }
    }

    /// A tenant with integration on; a thread with client@example.com (an app user) and
    /// free@example.com; one app message that was emailed with a known Message-ID.
    static func withFixture(_ label: String, _ body: (Fixture) async throws -> Void) async throws {
        try await withTestDatabase(label) { db in
            let pool = db.pool(maximumConnections: 4)
            let tenant = UUID()
            try await CommunicationSettingsStore(pool: pool).update(tenantId: tenant, emailIntegrationEnabled: true, emailReplyDomain: "reply.example.com")
            let thread = try await DiscussionFixtures.thread(pool, tenant: tenant, subject: "Kickoff")
            let clientUser = UUID()
            let client = try await pool.query(
                """
                INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type, user_id)
                VALUES ($1, 'client@example.com', 'Client', 'client_contact', $2) RETURNING id, reply_token
                """, [thread, clientUser])[0]
            try await pool.query(
                "INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type) VALUES ($1, 'free@example.com', 'Free', 'freelancer')", [thread])
            let rootMessageID = "<root-\(UUID().uuidString.lowercased())@herald.test>"
            let root = try await pool.query(
                "INSERT INTO communication_messages (thread_id, author_user_id, body, email_message_id) VALUES ($1, gen_random_uuid(), 'Welcome', $2) RETURNING id",
                [thread, rootMessageID])[0].decode(UUID.self, at: 0)
            let logs = CapturingLogHandler()
            let fixture = Fixture(
                pool: pool, service: InboundReplyService(pool: pool, key: key, logger: logs.logger("inbound")), logs: logs, thread: thread,
                clientUser: clientUser, clientParticipant: try client.decode(UUID.self, column: "id"),
                clientToken: try client.decode(String.self, column: "reply_token"), root: root, rootMessageID: rootMessageID)
            do {
                try await body(fixture)
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
        }
    }

    /// The inbound row of `id`.
    static func inboundRow(_ pool: PostgresPool, _ id: UUID) async throws -> PostgresRow {
        try #require(try await pool.query(
            "SELECT status, reason, error, thread_id, participant_id, parent_message_id, message_id, released_at FROM inbound_emails WHERE id = $1", [id]).first)
    }

    @Test func theParticipantsOwnReplyIsThreaded() async throws {
        try await Self.withFixture("in_own") { f in
            let reply = PostmarkInboundMessage(
                from: "client@example.com", fromName: "Client", to: f.clientReplyAddress, subject: "Re: Kickoff",
                textBody: "Works for me.\n\n> Welcome", strippedTextReply: "Works for me.",
                emailMessageID: "<own-1@mail.example.com>", inReplyTo: f.rootMessageID)
            let outcome = try await f.receive(reply)
            guard case .threaded(let thread, let message?, false) = outcome else {
                Issue.record("expected a new threaded message, got \(outcome)")
                return
            }
            #expect(thread == f.thread)
            let row = try #require(try await f.pool.query(
                "SELECT author_email, author_user_id, body, parent_message_id FROM communication_messages WHERE id = $1", [message]).first)
            #expect(try row.decode(String.self, column: "author_email") == "client@example.com")
            #expect(try row.decode(UUID?.self, column: "author_user_id") == f.clientUser)
            #expect(try row.decode(String.self, column: "body") == "Works for me.")
            #expect(try row.decode(UUID?.self, column: "parent_message_id") == f.root)
            #expect(try await f.fanoutJobs == 1)
            let inbound = try await f.pool.query("SELECT status, reason, participant_id, parent_message_id FROM inbound_emails")
            try #require(inbound.count == 1)
            #expect(try inbound[0].decode(String.self, column: "status") == "threaded")
            #expect(try inbound[0].decode(String?.self, column: "reason") == nil)
            #expect(try inbound[0].decode(UUID?.self, column: "participant_id") == f.clientParticipant)
            #expect(try inbound[0].decode(UUID?.self, column: "parent_message_id") == f.root)
        }
    }

    @Test func aValidTokenSentFromAnotherAddressIsKeptAsSenderMismatch() async throws {
        try await Self.withFixture("in_mismatch") { f in
            // The client's email was forwarded; someone else answers it.
            let reply = PostmarkInboundMessage(
                from: "eve@attacker.example", fromName: "Eve", to: f.clientReplyAddress, subject: "Re: Kickoff",
                textBody: "Please wire the deposit to …", emailMessageID: "<eve-1@attacker.example>", inReplyTo: f.rootMessageID)
            let outcome = try await f.receive(reply)
            guard case .rejected(let inboundId, let reason, let claimedThread, false) = outcome else {
                Issue.record("expected a kept, not threaded reply, got \(outcome)")
                return
            }
            #expect(reason == .senderMismatch)
            #expect(claimedThread == f.thread)
            #expect(try await f.emailMessages == 0)
            #expect(try await f.fanoutJobs == 0)

            let row = try await Self.inboundRow(f.pool, inboundId)
            #expect(try row.decode(String.self, column: "status") == "rejected")
            #expect(try row.decode(String?.self, column: "reason") == "sender_mismatch")
            #expect(try row.decode(UUID?.self, column: "thread_id") == f.thread)
            #expect(try row.decode(UUID?.self, column: "participant_id") == f.clientParticipant)
            #expect(try row.decode(UUID?.self, column: "parent_message_id") == f.root)
            #expect(try row.decode(UUID?.self, column: "message_id") == nil)
            #expect(try row.decode(String?.self, column: "error")?.contains("@") == false)

            // Listed for operators, with whose reply address was used.
            let listed = try await f.pool.query("SELECT reason, from_email, claimed_email, thread_id FROM herald_unmatched_inbound WHERE reason = 'sender_mismatch'")
            try #require(listed.count == 1)
            #expect(try listed[0].decode(String.self, column: "from_email") == "eve@attacker.example")
            #expect(try listed[0].decode(String?.self, column: "claimed_email") == "client@example.com")

            // The log says what happened without naming either address.
            let line = try #require(f.logs.lines.first { $0.message.contains("not threaded") })
            #expect(line.metadata["reason"]?.description == "sender_mismatch")
            #expect(line.metadata["inbound.claim"]?.description == "signed_token")
            for entry in f.logs.lines {
                #expect(!entry.message.contains("@") && !entry.metadata.values.contains { $0.description.contains("@") }, "\(entry)")
            }
        }
    }

    @Test func anotherParticipantUsingTheClientsTokenIsKept() async throws {
        try await Self.withFixture("in_other_part") { f in
            let viaSigned = PostmarkInboundMessage(from: "free@example.com", to: f.clientReplyAddress, subject: "Re", textBody: "Me too")
            let viaParticipantToken = PostmarkInboundMessage(
                from: "free@example.com", to: "reply+\(f.clientToken)@reply.example.com", subject: "Re", textBody: "Me too, again")
            for reply in [viaSigned, viaParticipantToken] {
                let outcome = try await f.receive(reply)
                guard case .rejected(_, .senderMismatch, f.thread, false) = outcome else {
                    Issue.record("expected sender_mismatch, got \(outcome)")
                    continue
                }
            }
            #expect(try await f.emailMessages == 0)
        }
    }

    @Test func caseAndWhitespaceInTheSenderStillMatch() async throws {
        try await Self.withFixture("in_case") { f in
            let signed = PostmarkInboundMessage(from: "  CLIENT@Example.COM ", to: f.clientReplyAddress, subject: "Re", textBody: "Upper case")
            guard case .threaded(f.thread, _, false) = try await f.receive(signed) else {
                Issue.record("a differently cased sender address must still match")
                return
            }
            let token = PostmarkInboundMessage(from: "Client@example.com", to: "reply+\(f.clientToken)@reply.example.com", subject: "Re", textBody: "Mixed case")
            guard case .threaded(f.thread, _, false) = try await f.receive(token) else {
                Issue.record("a differently cased sender address must still match the participant token")
                return
            }
            // No FromFull.Email: the address is parsed out of From.
            let hash = try #require(f.clientReplyAddress.split(separator: "+").last?.split(separator: "@").first.map(String.init))
            let json = """
                {"From": "\\"Client\\" <Client@Example.com>", "FromFull": {"Email": "", "Name": "Client"}, "MailboxHash": "\(hash)",
                 "MessageID": "pm-from-only", "TextBody": "Parsed from From", "Headers": [{"Name": "Message-ID", "Value": "<from-only@mail.example.com>"}]}
                """
            guard case .threaded(f.thread, _, false) = try await f.receive(json: json) else {
                Issue.record("the sender must be parsed from From when FromFull.Email is empty")
                return
            }
            #expect(try await f.emailMessages == 3)
            #expect(try await f.count("SELECT count(*) FROM communication_messages WHERE source = 'email' AND author_user_id = $1", [f.clientUser]) == 3)
        }
    }

    @Test func aReplyFoundByInReplyToFromANonParticipantIsKept() async throws {
        try await Self.withFixture("in_irt") { f in
            let stranger = PostmarkInboundMessage(
                from: "stranger@example.net", to: "team@reply.example.com", subject: "Re: Kickoff", textBody: "I saw this thread",
                emailMessageID: "<stranger-1@example.net>", inReplyTo: f.rootMessageID, references: [f.rootMessageID])
            let outcome = try await f.receive(stranger)
            guard case .rejected(let id, .senderMismatch, f.thread, false) = outcome else {
                Issue.record("expected sender_mismatch, got \(outcome)")
                return
            }
            let row = try await Self.inboundRow(f.pool, id)
            #expect(try row.decode(UUID?.self, column: "parent_message_id") == f.root)
            // A Message-ID is shared by every recipient: no single participant was claimed.
            #expect(try row.decode(UUID?.self, column: "participant_id") == nil)
            #expect(try await f.emailMessages == 0)

            // A participant answering the same Message-ID is threaded.
            let participant = PostmarkInboundMessage(
                from: "free@example.com", to: "team@reply.example.com", subject: "Re: Kickoff", textBody: "Count me in",
                emailMessageID: "<free-1@example.com>", inReplyTo: f.rootMessageID)
            guard case .threaded(f.thread, _, false) = try await f.receive(participant) else {
                Issue.record("a participant's reply found by In-Reply-To must be threaded")
                return
            }
            #expect(try await f.emailMessages == 1)
        }
    }

    @Test func theSameMismatchedMessageIDIsStoredOnce() async throws {
        try await Self.withFixture("in_dup") { f in
            let reply = PostmarkInboundMessage(
                from: "eve@attacker.example", to: f.clientReplyAddress, subject: "Re", textBody: "hello", emailMessageID: "<eve-dup@attacker.example>")
            let first = try await f.receive(reply)
            let retry = try await f.receive(reply)
            // The same email again under a new Postmark MessageID (e.g. delivered twice).
            var again = reply
            again.messageID = UUID().uuidString.lowercased()
            let redelivered = try await f.receive(again)
            guard case .rejected(let id, .senderMismatch, f.thread, false) = first else {
                Issue.record("expected sender_mismatch, got \(first)")
                return
            }
            #expect(retry == .rejected(inboundId: id, reason: .senderMismatch, threadId: f.thread, duplicate: true))
            #expect(redelivered == .rejected(inboundId: id, reason: .senderMismatch, threadId: f.thread, duplicate: true))
            #expect(try await f.count("SELECT count(*) FROM inbound_emails") == 1)
            #expect(try await f.emailMessages == 0)
        }
    }

    @Test func concurrentRetriesOfAMismatchAreStoredOnce() async throws {
        try await Self.withFixture("in_dup_conc") { f in
            let reply = PostmarkInboundMessage(from: "eve@attacker.example", to: f.clientReplyAddress, subject: "Re", textBody: "hello")
            let outcomes = try await withThrowingTaskGroup(of: InboundReplyOutcome.self) { group in
                for _ in 0..<4 { group.addTask { try await f.receive(reply) } }
                var all: [InboundReplyOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.count(where: { if case .rejected(_, .senderMismatch, _, false) = $0 { true } else { false } }) == 1)
            #expect(outcomes.count(where: { if case .rejected(_, .senderMismatch, _, true) = $0 { true } else { false } }) == 3)
            #expect(try await f.count("SELECT count(*) FROM inbound_emails") == 1)
        }
    }

    @Test func aSpamVerdictIsKeptNotThreaded() async throws {
        try await Self.withFixture("in_spam") { f in
            var reply = PostmarkInboundMessage(from: "client@example.com", to: f.clientReplyAddress, subject: "Re", textBody: "Cheap pills")
            reply.headers = reply.headers.map { $0.name == "X-Spam-Status" ? PostmarkHeader(name: "X-Spam-Status", value: "Yes, score=7.1 required=5.0") : $0 }
            let outcome = try await f.receive(reply)
            guard case .rejected(let id, .spam, f.thread, false) = outcome else {
                Issue.record("expected spam, got \(outcome)")
                return
            }
            #expect(try await Self.inboundRow(f.pool, id).decode(String?.self, column: "reason") == "spam")
            #expect(try await f.emailMessages == 0)

            // Spam to no thread at all is kept with the same reason.
            var unmatched = PostmarkInboundMessage(from: "spammer@example.net", to: "sales@reply.example.com", subject: "Offer", textBody: "Buy")
            unmatched.headers = unmatched.headers.map { $0.name == "X-Spam-Status" ? PostmarkHeader(name: "X-Spam-Status", value: "Yes") : $0 }
            guard case .rejected(_, .spam, nil, false) = try await f.receive(unmatched) else {
                Issue.record("expected spam without a thread")
                return
            }
            // X-Spam-Status: No (what the sandbox sends) threads as usual.
            let clean = PostmarkInboundMessage(from: "client@example.com", to: f.clientReplyAddress, subject: "Re", textBody: "Real reply")
            guard case .threaded = try await f.receive(clean) else {
                Issue.record("X-Spam-Status: No must not hold a reply")
                return
            }
        }
    }

    @Test func aFormerParticipantsTokenNoLongerThreads() async throws {
        try await Self.withFixture("in_removed") { f in
            try await f.pool.query("DELETE FROM communication_thread_participants WHERE id = $1", [f.clientParticipant])
            let reply = PostmarkInboundMessage(from: "client@example.com", to: f.clientReplyAddress, subject: "Re", textBody: "Still here?")
            guard case .rejected(let id, .senderMismatch, f.thread, false) = try await f.receive(reply) else {
                Issue.record("a removed participant must not post through an old reply address")
                return
            }
            #expect(try await Self.inboundRow(f.pool, id).decode(UUID?.self, column: "participant_id") == nil)
        }
    }

    @Test func unmatchedAndOtherRefusalsCarryTheirReason() async throws {
        try await Self.withFixture("in_reasons") { f in
            let unmatched = PostmarkInboundMessage(from: "x@example.com", to: "reply+nothing@reply.example.com", subject: "Hi", textBody: "?")
            guard case .unmatched(let id, false) = try await f.receive(unmatched) else {
                Issue.record("expected unmatched")
                return
            }
            #expect(try await Self.inboundRow(f.pool, id).decode(String?.self, column: "reason") == "no_thread")
            let empty = PostmarkInboundMessage(from: "client@example.com", to: f.clientReplyAddress, subject: "Re", textBody: "> only quoted", strippedTextReply: "")
            guard case .rejected(_, .emptyReply, f.thread, false) = try await f.receive(empty) else {
                Issue.record("expected empty_reply")
                return
            }
            let invalid = PostmarkInboundMessage(from: "not an address", to: f.clientReplyAddress, subject: "Re", textBody: "hi")
            guard case .rejected(_, .invalidSender, f.thread, false) = try await f.receive(invalid) else {
                Issue.record("expected invalid_sender")
                return
            }
            #expect(try await f.count("SELECT count(*) FROM inbound_emails WHERE status <> 'threaded' AND reason IS NULL") == 0)
        }
    }

    @Test func anOperatorCanReleaseAHeldReply() async throws {
        try await Self.withFixture("in_release") { f in
            // The client writes from a second address: held, then released by an operator.
            let reply = PostmarkInboundMessage(
                from: "client.private@example.org", fromName: "Client", to: f.clientReplyAddress, subject: "Re: Kickoff",
                textBody: "From my other address.\n\n> Welcome", strippedTextReply: "From my other address.",
                emailMessageID: "<private-1@example.org>", inReplyTo: f.rootMessageID)
            guard case .rejected(let id, .senderMismatch, _, false) = try await f.receive(reply) else {
                Issue.record("expected sender_mismatch")
                return
            }
            let released = try await f.service.release(inboundId: id)
            guard case .threaded(f.thread, let message?, false) = released else {
                Issue.record("expected the release to thread the reply, got \(released)")
                return
            }
            let row = try #require(try await f.pool.query(
                "SELECT author_email, author_name, body, email_message_id, email_in_reply_to, parent_message_id FROM communication_messages WHERE id = $1",
                [message]).first)
            #expect(try row.decode(String.self, column: "author_email") == "client.private@example.org")
            #expect(try row.decode(String?.self, column: "author_name") == "Client")
            #expect(try row.decode(String.self, column: "body") == "From my other address.")
            #expect(try row.decode(String?.self, column: "email_message_id") == "<private-1@example.org>")
            #expect(try row.decode(String?.self, column: "email_in_reply_to") == f.rootMessageID)
            #expect(try row.decode(UUID?.self, column: "parent_message_id") == f.root)
            #expect(try await f.fanoutJobs == 1)
            let inbound = try await Self.inboundRow(f.pool, id)
            #expect(try inbound.decode(String.self, column: "status") == "threaded")
            #expect(try inbound.decode(String?.self, column: "reason") == "sender_mismatch")
            #expect(try inbound.decode(UUID?.self, column: "message_id") == message)
            #expect(try inbound.decode(Date?.self, column: "released_at") != nil)
            #expect(try await f.count("SELECT count(*) FROM herald_unmatched_inbound") == 0)

            // Releasing twice, or the webhook retried afterwards, creates nothing new.
            #expect(try await f.service.release(inboundId: id) == .threaded(threadId: f.thread, messageId: message, duplicate: true))
            #expect(try await f.receive(reply) == .threaded(threadId: f.thread, messageId: message, duplicate: true))
            #expect(try await f.emailMessages == 1)
        }
    }

    @Test func onlySenderMismatchAndSpamAreReleasable() async throws {
        try await Self.withFixture("in_release_no") { f in
            let unmatched = PostmarkInboundMessage(from: "x@example.com", to: "reply+nothing@reply.example.com", subject: "Hi", textBody: "?")
            guard case .unmatched(let id, _) = try await f.receive(unmatched) else {
                Issue.record("expected unmatched")
                return
            }
            let notReleasable = await #expect(throws: DeliveryError.self) { try await f.service.release(inboundId: id) }
            #expect(notReleasable?.code == .notReleasable)
            let notFound = await #expect(throws: DeliveryError.self) { try await f.service.release(inboundId: UUID()) }
            #expect(notFound?.code == .notFound)
            #expect(try await f.emailMessages == 0)
        }
    }
}
