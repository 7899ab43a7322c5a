import Curl
import Foundation
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Sandbox
import Server
import Testing

@Suite("Inbound reply webhook over HTTP")
struct InboundEndpointTests {
    struct Discussion {
        var thread: UUID
        var root: UUID
        var rootMessageID: String
        var participantToken: String
    }

    /// A tenant with integration on, a thread with two participants and one app message that was emailed.
    static func seedDiscussion(_ pool: PostgresPool, integration: Bool = true) async throws -> Discussion {
        let tenant = UUID()
        try await CommunicationSettingsStore(pool: pool).update(tenantId: tenant, emailIntegrationEnabled: integration, emailReplyDomain: "reply.example.com")
        let thread = try await DiscussionFixtures.thread(pool, tenant: tenant, subject: "Project kickoff")
        let token = try await pool.query(
            "INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type) VALUES ($1, 'client@example.com', 'Client', 'client_contact') RETURNING reply_token",
            [thread])[0].decode(String.self, at: 0)
        try await pool.query("INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type) VALUES ($1, 'free@example.com', 'Free', 'freelancer')", [thread])
        let rootID = "<root-\(UUID().uuidString.lowercased())@herald.test>"
        let root = try await pool.query(
            "INSERT INTO communication_messages (thread_id, author_user_id, body, email_message_id) VALUES ($1, gen_random_uuid(), 'Welcome', $2) RETURNING id",
            [thread, rootID])[0].decode(UUID.self, at: 0)
        return Discussion(thread: thread, root: root, rootMessageID: rootID, participantToken: token)
    }

    static func messages(_ pool: PostgresPool, thread: UUID) async throws -> PostgresRows {
        try await pool.query(
            "SELECT id, body, source, author_email, author_name, email_message_id, email_in_reply_to, parent_message_id FROM communication_messages WHERE thread_id = $1 AND source = 'email'",
            [thread])
    }

    @Test func replyBySignedMailboxHashIsThreadedOnceAndFannedOut() async throws {
        try await withServer("srv_in_hash") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            let reply = PostmarkInboundMessage(
                from: "client@example.com", fromName: "Client", to: replyAddress, subject: "Re: Project kickoff",
                textBody: "Sounds good.\n\nOn Mon, Herald wrote:\n> Welcome", strippedTextReply: "Sounds good.",
                emailMessageID: "<reply-1@mail.example.com>", inReplyTo: discussion.rootMessageID, references: [discussion.rootMessageID])
            let body = try reply.jsonBody()
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: body)
            #expect(response.status == 200)
            #expect(jsonObject(response)["status"] as? String == "threaded")
            #expect(jsonObject(response)["duplicate"] as? Bool == false)

            // Postmark retries the same webhook: nothing new.
            let retry = try await post(client, base + "/webhooks/postmark/inbound", body: body)
            #expect(retry.status == 200)
            #expect(jsonObject(retry)["duplicate"] as? Bool == true)

            let rows = try await Self.messages(pool, thread: discussion.thread)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, column: "body") == "Sounds good.")
            #expect(try row.decode(String.self, column: "author_email") == "client@example.com")
            #expect(try row.decode(String.self, column: "email_message_id") == "<reply-1@mail.example.com>")
            #expect(try row.decode(String.self, column: "email_in_reply_to") == discussion.rootMessageID)
            #expect(try row.decode(UUID.self, column: "parent_message_id") == discussion.root)
            let messageID = try row.decode(UUID.self, column: "id")
            let jobs = try await pool.query("SELECT count(*) FROM herald_jobs WHERE kind = 'message.fanout' AND args->>'message_id' = $1", [messageID.uuidString.lowercased()])
            #expect(try jobs[0].decode(Int.self, at: 0) == 1)
            #expect(try await pool.query("SELECT count(*) FROM inbound_emails WHERE status = 'threaded'")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func replyByParticipantReplyTokenIsThreaded() async throws {
        try await withServer("srv_in_token") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool)
            let reply = PostmarkInboundMessage(
                from: "client@example.com", to: "reply+\(discussion.participantToken)@reply.example.com", subject: "Re: x",
                textBody: "Via the participant token.\n\n> quoted", strippedTextReply: "")
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: try reply.jsonBody())
            #expect(jsonObject(response)["status"] as? String == "threaded")
            let rows = try await Self.messages(pool, thread: discussion.thread)
            #expect(try rows.first?.decode(String.self, column: "body") == "Via the participant token.")
        }
    }

    @Test func replyByInReplyToWithoutHashIsThreadedAndRetryIsIdempotent() async throws {
        try await withServer("srv_in_irt") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool)
            let reply = PostmarkInboundMessage(
                from: "free@example.com", to: "team@reply.example.com", subject: "Re: Project kickoff",
                textBody: "Found it by In-Reply-To.", emailMessageID: "<irt-1@mail.example.com>",
                inReplyTo: discussion.rootMessageID, references: ["<unknown@x.example>", discussion.rootMessageID])
            let body = try reply.jsonBody()
            // Concurrent retries too.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await post(client, base + "/webhooks/postmark/inbound", body: body).status } }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses == [200, 200, 200, 200])
            let rows = try await Self.messages(pool, thread: discussion.thread)
            #expect(rows.count == 1)
            #expect(try rows.first?.decode(UUID.self, column: "parent_message_id") == discussion.root)
        }
    }

    @Test func unmatchedReplyIsKeptAndReported() async throws {
        try await withServer("srv_in_unmatched") { base, pool, client in
            _ = try await Self.seedDiscussion(pool)
            let reply = PostmarkInboundMessage(from: "stranger@example.com", to: "reply+forgedtoken1234567890@reply.example.com", subject: "Hi", textBody: "Anyone?")
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: try reply.jsonBody())
            #expect(response.status == 200)
            #expect(jsonObject(response)["status"] as? String == "unmatched")
            let kept = try await pool.query("SELECT from_email, preview FROM herald_unmatched_inbound")
            #expect(kept.count == 1)
            #expect(try kept.first?.decode(String.self, column: "from_email") == "stranger@example.com")
            #expect(try await pool.query("SELECT count(*) FROM communication_messages WHERE source = 'email'")[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test func replyFromAnotherAddressIsKeptAnswered200AndNotThreaded() async throws {
        try await withServer("srv_in_mismatch") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            let reply = PostmarkInboundMessage(
                from: "eve@attacker.example", to: replyAddress, subject: "Re: Project kickoff", textBody: "New bank details attached.",
                emailMessageID: "<eve@attacker.example>", inReplyTo: discussion.rootMessageID)
            let body = try reply.jsonBody()
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: body)
            // 200, so Postmark does not retry; the body says what happened.
            #expect(response.status == 200)
            let answer = jsonObject(response)
            #expect(answer["status"] as? String == "rejected")
            #expect(answer["reason"] as? String == "sender_mismatch")
            #expect(answer["duplicate"] as? Bool == false)
            #expect((answer["detail"] as? String)?.contains("@") == false)
            let inboundId = try #require(answer["inbound_id"] as? String)

            let retry = try await post(client, base + "/webhooks/postmark/inbound", body: body)
            #expect(retry.status == 200)
            #expect(jsonObject(retry)["reason"] as? String == "sender_mismatch")
            #expect(jsonObject(retry)["duplicate"] as? Bool == true)
            #expect(jsonObject(retry)["inbound_id"] as? String == inboundId)

            #expect(try await Self.messages(pool, thread: discussion.thread).count == 0)
            let kept = try await pool.query("SELECT id, reason, thread_id, claimed_email FROM herald_unmatched_inbound")
            try #require(kept.count == 1)
            #expect(try kept[0].decode(UUID.self, column: "id").uuidString.lowercased() == inboundId)
            #expect(try kept[0].decode(String?.self, column: "reason") == "sender_mismatch")
            #expect(try kept[0].decode(UUID?.self, column: "thread_id") == discussion.thread)
            #expect(try kept[0].decode(String?.self, column: "claimed_email") == "client@example.com")

            // The console's discussions page shows why.
            let admin = try await get(client, base + "/admin/discussions")
            #expect(admin.bodyString.contains("rejected (sender_mismatch)"))
        }
    }

    @Test func replyFoundByInReplyToFromANonParticipantIsKept() async throws {
        try await withServer("srv_in_irt_stranger") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool)
            let reply = PostmarkInboundMessage(
                from: "stranger@example.net", to: "team@reply.example.com", subject: "Re: Project kickoff",
                textBody: "Forwarded to me.", inReplyTo: discussion.rootMessageID, references: [discussion.rootMessageID])
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: try reply.jsonBody())
            #expect(response.status == 200)
            #expect(jsonObject(response)["status"] as? String == "rejected")
            #expect(jsonObject(response)["reason"] as? String == "sender_mismatch")
            #expect(try await Self.messages(pool, thread: discussion.thread).count == 0)
        }
    }

    @Test func replyToATenantWithIntegrationOffIsRejectedNotDropped() async throws {
        try await withServer("srv_in_off") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool, integration: false)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            let reply = PostmarkInboundMessage(from: "client@example.com", to: replyAddress, subject: "Re", textBody: "hello")
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: try reply.jsonBody())
            #expect(jsonObject(response)["status"] as? String == "rejected")
            #expect(jsonObject(response)["reason"] as? String == "integration_off")
            #expect(try await pool.query("SELECT count(*) FROM inbound_emails WHERE status = 'rejected'")[0].decode(Int.self, at: 0) == 1)
            #expect(try await Self.messages(pool, thread: discussion.thread).count == 0)
        }
    }

    @Test func crlfInTheSenderNameNeverReachesAStoredHeaderField() async throws {
        try await withServer("srv_in_crlf") { base, pool, client in
            let discussion = try await Self.seedDiscussion(pool)
            let replyAddress = ReplyToken(threadID: discussion.thread, recipient: "client@example.com").replyAddress(domain: "reply.example.com", key: testKey)
            let reply = PostmarkInboundMessage(
                from: "client@example.com", fromName: "Eve\r\nBcc: victim@example.net", to: replyAddress,
                subject: "Re\r\nX-Evil: 1", textBody: "body", emailMessageID: "<crlf@x.example>\r\nX-Evil: 1")
            let response = try await post(client, base + "/webhooks/postmark/inbound", body: try reply.jsonBody())
            #expect(jsonObject(response)["status"] as? String == "threaded")
            let row = try #require(try await Self.messages(pool, thread: discussion.thread).first)
            let name = try row.decode(String.self, column: "author_name")
            #expect(!name.contains("\r") && !name.contains("\n"))
            // An unparseable Message-ID is not stored as one.
            #expect(try row.decode(String?.self, column: "email_message_id") == nil)
        }
    }
}
