public import Foundation
public import Logging
import Metrics
public import Postgres

/// Threads inbound email replies (Postmark's inbound webhook) back into their discussion.
///
/// Guarantees:
/// - Every webhook is kept in `inbound_emails` (threaded, unmatched or rejected), with the payload.
/// - The thread is found by the `MailboxHash` (the signed ``ReplyToken`` of the reply address, or
///   a participant's `reply_token`), else by `In-Reply-To` / `References` against the Message-IDs
///   Herald stored (`communication_messages.email_message_id`, `discussion_email_tracking.email_message_id`).
/// - A threaded reply becomes one `communication_messages` row (source `email`) whose body is the
///   reply without quoted history (`StrippedTextReply`, else ``ReplyQuoteStripper``), with the
///   reply's `Message-ID` as `email_message_id` and its `In-Reply-To` as `email_in_reply_to`; a
///   `message.fanout` job emails it to the other participants. All in one transaction.
/// - Idempotent: a retried webhook (same Postmark MessageID or same Message-ID header), also when
///   retries arrive concurrently, creates nothing new (unique keys decide, not a prior read).
public struct InboundReplyService: Sendable {
    private let pool: PostgresPool
    private let key: TokenSigningKey
    private let logger: Logger

    /// A service verifying reply tokens with `key`.
    public init(pool: PostgresPool, key: TokenSigningKey, logger: Logger) {
        self.pool = pool
        self.key = key
        self.logger = logger
    }

    /// Receives one inbound webhook. `raw` is the request body (stored as-is when it is valid JSON).
    public func receive(_ payload: PostmarkInboundPayload, raw: String) async throws -> InboundReplyOutcome {
        let sender = Self.clean(payload.senderEmail)
        let messageID = payload.header("Message-ID").flatMap { MessageID(parsing: $0) }
        let inReplyTo = payload.header("In-Reply-To").flatMap { PostmarkInboundPayload.messageIDs(in: $0).first }
        let hash = Self.clean(payload.mailboxHash ?? payload.fromFull?.mailboxHash ?? "")
        let match = try await findThread(mailboxHash: hash, references: payload.referencedMessageIDs)
        let textBody = Self.clean(payload.textBody ?? "")
        let stripped = payload.strippedTextReply.map(Self.clean).flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
            ?? ReplyQuoteStripper.strip(textBody)

        var status = "unmatched"
        var error: String?
        var threadId: UUID?
        if let match {
            threadId = match.threadId
            status = "threaded"
            if !match.integrationEnabled {
                status = "rejected"; error = "email integration is off for this tenant"
            } else if !EmailAddress.isValid(sender) {
                status = "rejected"; error = "the sender address is not valid"
            } else if stripped.trimmingWhitespace().isEmpty {
                status = "rejected"; error = "the reply is empty once the quoted text is removed"
            }
        }
        // jsonb refuses \u0000; such a payload is kept field by field only.
        let rawJSON = raw.contains("\\u0000") ? "{}" : raw
        let finalStatus = status, finalError = error, finalThread = threadId
        let providerID = payload.messageID.map(Self.clean).flatMap { $0.isEmpty ? nil : $0 }

        let outcome = try await pool.transaction { connection -> InboundReplyOutcome in
            let inserted = try await connection.query(
                """
                INSERT INTO inbound_emails (provider_message_id, email_message_id, from_email, to_email, mailbox_hash, subject,
                                            text_body, stripped_text, in_reply_to, references_header, raw, status, thread_id, error)
                VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                [providerID, messageID?.value, sender, payload.to.map(Self.clean), hash, payload.subject.map(Self.clean), textBody, stripped,
                 payload.header("In-Reply-To").map(Self.clean), payload.header("References").map(Self.clean), PostgresJSON(rawJSON),
                 finalStatus, finalThread, finalError])
            guard let inboundId = try inserted.first?.decode(UUID.self, column: "id") else {
                return try await Self.previousOutcome(providerID: providerID, messageID: messageID?.value, connection: connection)
            }
            guard finalStatus == "threaded", let thread = finalThread else {
                if finalStatus == "unmatched" { return .unmatched(inboundId: inboundId, duplicate: false) }
                return .rejected(inboundId: inboundId, reason: finalError ?? "refused", duplicate: false)
            }
            let name = payload.fromFull?.name ?? payload.fromName
            let authorName = name.map { String(HeaderSanitizer.sanitize(Self.clean($0)).prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
            let created = try await connection.query(
                """
                INSERT INTO communication_messages (thread_id, author_user_id, author_email, author_name, body, source,
                                                    email_message_id, email_in_reply_to, parent_message_id)
                SELECT $1, (SELECT user_id FROM communication_thread_participants WHERE thread_id = $1 AND lower(email) = lower($2) LIMIT 1),
                       $2, $3, $4, 'email', $5, $6,
                       coalesce($7::uuid, (SELECT id FROM communication_messages WHERE thread_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1))
                ON CONFLICT (email_message_id) DO NOTHING
                RETURNING id
                """,
                [thread, sender, authorName, String(stripped.prefix(1_000_000)), messageID?.value, inReplyTo?.value, match?.parentMessageId])
            guard let newMessage = try created.first?.decode(UUID.self, column: "id") else {
                // The Message-ID is already a message of ours: this reply was threaded before.
                let existing = try await connection.query("SELECT id, thread_id FROM communication_messages WHERE email_message_id = $1", [messageID?.value])
                let existingId = try existing.first?.decode(UUID.self, column: "id")
                try await connection.query("UPDATE inbound_emails SET message_id = $2 WHERE id = $1", [inboundId, existingId])
                return .threaded(threadId: thread, messageId: existingId, duplicate: true)
            }
            try await connection.query("UPDATE inbound_emails SET message_id = $2 WHERE id = $1", [inboundId, newMessage])
            try await connection.query(
                """
                INSERT INTO herald_jobs (kind, args, priority, unique_key, queue, state)
                VALUES ('message.fanout', jsonb_build_object('message_id', $1::uuid), 1, 'message.fanout:' || $1::text, 'default', 'available')
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')
                DO NOTHING
                """, [newMessage])
            return .threaded(threadId: thread, messageId: newMessage, duplicate: false)
        }
        Counter(label: "herald_inbound_replies_total", dimensions: [("status", outcome.status)]).increment()
        switch outcome {
        case .unmatched(let id, false):
            logger.warning("inbound reply matched no thread; kept in inbound_emails", metadata: ["inbound.id": "\(id)"])
        case .rejected(let id, let reason, false):
            logger.warning("inbound reply refused; kept in inbound_emails", metadata: ["inbound.id": "\(id)", "reason": "\(reason)"])
        default:
            break
        }
        return outcome
    }

    struct ThreadMatch: Sendable {
        var threadId: UUID
        var parentMessageId: UUID?
        var integrationEnabled: Bool
    }

    /// The thread by mailbox hash first (signed token, then a participant's reply_token), then by the
    /// referenced Message-IDs, newest first.
    func findThread(mailboxHash: String, references: [MessageID]) async throws -> ThreadMatch? {
        var threadId: UUID?
        if !mailboxHash.isEmpty {
            if let token = try? ReplyToken.verify(mailboxHash, key: key) {
                threadId = token.threadID
            } else if mailboxHash.utf8.count <= 128 {
                threadId = try await pool.query(
                    "SELECT thread_id FROM communication_thread_participants WHERE reply_token = $1", [mailboxHash]
                ).first?.decode(UUID.self, column: "thread_id")
            }
        }
        var parent: UUID?
        if !references.isEmpty {
            let rows = try await pool.query(
                """
                SELECT r.ord, m.id AS message_id, m.thread_id
                  FROM unnest($1::text[]) WITH ORDINALITY AS r(mid, ord)
                  JOIN LATERAL (
                        SELECT id, thread_id FROM communication_messages WHERE email_message_id = r.mid
                        UNION ALL
                        SELECT message_id, thread_id FROM discussion_email_tracking WHERE email_message_id = r.mid
                        LIMIT 1) m ON true
                 WHERE ($2::uuid IS NULL OR m.thread_id = $2::uuid)
                 ORDER BY r.ord LIMIT 1
                """, [references.map(\.value), threadId])
            if let row = rows.first {
                parent = try row.decode(UUID.self, column: "message_id")
                if threadId == nil { threadId = try row.decode(UUID.self, column: "thread_id") }
            }
        }
        guard let threadId else { return nil }
        let rows = try await pool.query(
            """
            SELECT coalesce(s.email_integration_enabled, false) AS enabled
              FROM communication_threads t LEFT JOIN communication_settings s ON s.tenant_id = t.tenant_id
             WHERE t.id = $1
            """, [threadId])
        guard let row = rows.first else { return nil }
        return ThreadMatch(threadId: threadId, parentMessageId: parent, integrationEnabled: try row.decode(Bool.self, column: "enabled"))
    }

    static func previousOutcome(providerID: String?, messageID: String?, connection: PostgresConnection) async throws -> InboundReplyOutcome {
        let rows = try await connection.query(
            """
            SELECT id, status, thread_id, message_id, error FROM inbound_emails
             WHERE provider_message_id = $1 OR email_message_id = $2 ORDER BY received_at LIMIT 1
            """, [providerID, messageID])
        guard let row = rows.first else {
            throw DeliveryStoreError(code: .invalidText, message: "the inbound email conflicts with a stored one that cannot be read")
        }
        let id = try row.decode(UUID.self, column: "id")
        switch try row.decode(String.self, column: "status") {
        case "threaded":
            return .threaded(threadId: try row.decode(UUID.self, column: "thread_id"), messageId: try row.decode(UUID?.self, column: "message_id"), duplicate: true)
        case "unmatched":
            return .unmatched(inboundId: id, duplicate: true)
        default:
            return .rejected(inboundId: id, reason: try row.decode(String?.self, column: "error") ?? "refused", duplicate: true)
        }
    }

    /// Text without NUL characters (PostgreSQL text cannot hold them).
    static func clean(_ text: String) -> String {
        text.contains("\u{0}") ? String(text.unicodeScalars.filter { $0 != "\u{0}" }.map(Character.init)) : text
    }
}
