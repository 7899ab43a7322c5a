public import Foundation
import HeraldJSON
public import Logging
public import Mail
import Metrics
import Notifications
public import Postgres
public import Providers
import Queue

/// Threads inbound email replies (Postmark's inbound webhook) back into their discussion.
///
/// Guarantees:
/// - **Store first.** Every webhook is written to `inbound_emails` (status `received`, the payload
///   in `raw` without attachment contents) together with its attachments, decoded, in
///   `inbound_email_attachments`, before it is processed. A body that is not a JSON object is kept
///   too (status `failed`). A processing error leaves the row `failed` (reason
///   `processing_error`) with the error; ``reprocess(inboundId:)`` (`herald inbound reprocess ID`)
///   or a retried webhook processes it again.
/// - **Automatic email stays out.** Out-of-office replies and delivery reports
///   (``AutomaticEmail``) are kept with status and reason `auto_reply` / `bounce` and the signal
///   in `auto_signal`; they never become messages, never fan out and cannot be released. A report
///   naming a discussion email's Message-ID or recipient is recorded on its
///   `discussion_email_tracking` row (``DeliveryReport``).
/// - The thread is found by the `MailboxHash` (the signed ``ReplyToken`` of the reply address, or
///   a participant's `reply_token`), else by `In-Reply-To` / `References` against the Message-IDs
///   Herald stored (`communication_messages.email_message_id`, `discussion_email_tracking.email_message_id`).
/// - **Sender rule** (``InboundSenderPolicy``). A reply address travels with every forwarded copy,
///   so finding the thread is not enough: the sender (`FromFull.Email`, else the address in `From`;
///   trimmed, compared case-insensitively) must be the participant the reply token was issued to
///   (signed token: the recipient it was signed for; `reply_token`: that participant row), or, for
///   a reply found by Message-ID alone (one Message-ID per message, shared by all its recipients),
///   a participant of the thread. Otherwise the reply is not threaded: it is kept with status
///   `rejected`, reason `sender_mismatch`, the claimed `thread_id`, `parent_message_id` and
///   `participant_id`, and an operator can ``release(inboundId:)`` it.
/// - A provider spam verdict (`X-Spam-Status: Yes`) is kept the same way with reason `spam`.
/// - A threaded reply becomes one `communication_messages` row (source `email`) whose body is the
///   reply without quoted history (``InboundReplyText``: Herald's ``ReplyQuoteStripper`` on
///   `TextBody`, else on the text of `HtmlBody`, else on `StrippedTextReply`), with the reply's
///   `Message-ID` as `email_message_id` and its `In-Reply-To` as `email_in_reply_to`; its
///   attachments are linked to it; a `message.fanout` job emails it to the other participants.
///   All in one transaction. Values are cut to their columns by code points (``ColumnLimit``).
/// - Idempotent, whatever the outcome: a retried webhook (same Postmark MessageID or same
///   Message-ID header), also when retries arrive concurrently, creates nothing new and reports
///   the first outcome (unique keys and a row lock decide, not a prior read).
/// - Logs name the inbound row, thread and reason, never an address.
public struct InboundReplyService: Sendable {
    let pool: PostgresPool
    let key: TokenSigningKey
    let logger: Logger

    /// A service verifying reply tokens with `key`.
    public init(pool: PostgresPool, key: TokenSigningKey, logger: Logger) {
        self.pool = pool
        self.key = key
        self.logger = logger
    }

    /// Receives one inbound webhook given as a decoded payload and its JSON text (kept for callers
    /// and tests that hold the text): the text is parsed again and handed to `receive(_ webhook:)`.
    public func receive(_ payload: PostmarkInboundPayload, raw: String) async throws -> InboundReplyOutcome {
        var text = raw
        let parsed: InboundWebhook
        do {
            parsed = try text.withUTF8 { bytes in try InboundWebhook(parsing: UnsafeRawBufferPointer(bytes)) }
        } catch {
            let id = try await keepMalformed(body: raw, problem: "malformed JSON: \(error)")
            return .failed(inboundId: id, error: "malformed JSON", duplicate: false)
        }
        return try await receive(parsed)
    }

    /// Receives one inbound webhook: **stores it first** (`store(_:)`: the row with status
    /// `received` and its attachments, in one transaction), then processes it. A processing error
    /// leaves the row `failed` with the error (outcome `.failed`), for ``reprocess(inboundId:)``.
    /// A retried webhook whose row is still `received` or `failed` is processed again; any other
    /// retry reports the first outcome with `duplicate: true`.
    /// - Throws: only when the database cannot store it (then nothing was stored).
    public func receive(_ webhook: InboundWebhook) async throws -> InboundReplyOutcome {
        guard webhook.isObject else {
            let id = try await keepMalformed(body: webhook.raw.jsonText, problem: "the webhook body is not a JSON object")
            return .failed(inboundId: id, error: "not a JSON object", duplicate: false)
        }
        switch try await store(webhook) {
        case .new(let id):
            return try await process(inboundId: id, payload: webhook.payload)
        case .existing(let id, let status) where status == "received" || status == "failed":
            return try await process(inboundId: id, payload: webhook.payload)
        case .existing(let id, _):
            return try await pool.withConnection { try await Self.previousOutcome(inboundId: id, connection: $0) }
        }
    }

    /// Processes a stored inbound email again (status `failed`, or `received` when a process died
    /// between storing and processing) from what was stored: `raw` and its attachments.
    /// - Throws: `DeliveryError` `.notFound` for an unknown id; `.notReleasable` when the row
    ///   was processed already (any other status) or has no payload to process.
    public func reprocess(inboundId: UUID) async throws -> InboundReplyOutcome {
        guard let row = try await pool.query("SELECT status, raw::text AS raw FROM inbound_emails WHERE id = $1", [inboundId]).first else {
            throw DeliveryError(code: .notFound, message: "no inbound email \(inboundId)")
        }
        let status = try row.decode(String.self, column: "status")
        guard status == "failed" || status == "received" else {
            throw DeliveryError(
                code: .notReleasable,
                message: "inbound email \(inboundId) was processed already (status \(status)); only failed or received ones are reprocessed")
        }
        var raw = try row.decode(String.self, column: "raw")
        let webhook = try raw.withUTF8 { bytes in try InboundWebhook(parsing: UnsafeRawBufferPointer(bytes)) }
        guard webhook.isObject, webhook.raw.objectMembers?.isEmpty == false else {
            throw DeliveryError(
                code: .notReleasable, message: "inbound email \(inboundId) has no payload to process (its body was not a JSON object)")
        }
        return try await process(inboundId: inboundId, payload: webhook.payload)
    }

    /// Threads a reply kept with a releasable reason (`sender_mismatch` or `spam`, see
    /// ``InboundReplyOutcome/Reason/isReleasable``) into the thread it claimed, as if it had been
    /// accepted: one `communication_messages` row authored by its sender (`author_user_id` when
    /// the sender is a participant), a `message.fanout` job, and the row becomes `threaded` with
    /// `released_at` set (its `reason` stays, as history). For an operator who has checked the
    /// sender, e.g. a participant writing from a second address.
    ///
    /// Releasing an already threaded row returns it with `duplicate: true`.
    /// - Throws: `DeliveryError` `.notFound` for an unknown id; `.notReleasable` when the row
    ///   has another reason, no claimed thread, or no text once the quoted history is removed.
    public func release(inboundId: UUID) async throws -> InboundReplyOutcome {
        let outcome = try await pool.transaction { connection -> InboundReplyOutcome in
            let rows = try await connection.query(
                """
                SELECT i.status, i.reason, i.thread_id, i.message_id, i.from_email, i.email_message_id, i.in_reply_to,
                       coalesce(i.stripped_text, '') AS stripped_text, i.parent_message_id,
                       coalesce(nullif(i.raw -> 'FromFull' ->> 'Name', ''), i.raw ->> 'FromName') AS from_name,
                       (SELECT p.user_id FROM communication_thread_participants p
                         WHERE p.thread_id = i.thread_id AND lower(p.email) = lower(btrim(i.from_email))) AS user_id
                  FROM inbound_emails i
                 WHERE i.id = $1
                 FOR UPDATE
                """, [inboundId])
            guard let row = rows.first else {
                throw DeliveryError(code: .notFound, message: "no inbound email \(inboundId)")
            }
            let thread = try row.decode(UUID?.self, column: "thread_id")
            if try row.decode(String.self, column: "status") == "threaded", let thread {
                return .threaded(threadId: thread, messageId: try row.decode(UUID?.self, column: "message_id"), duplicate: true)
            }
            let reason = try row.decode(String?.self, column: "reason").map(InboundReplyOutcome.Reason.init(rawValue:))
            guard let reason, reason.isReleasable, let thread else {
                throw DeliveryError(
                    code: .notReleasable,
                    message: "inbound email \(inboundId) cannot be released: only replies kept for sender_mismatch or spam, with a thread, can (reason: \(reason?.rawValue ?? "none"))")
            }
            let body = try row.decode(String.self, column: "stripped_text")
            guard !body.trimmingWhitespace().isEmpty else {
                throw DeliveryError(code: .notReleasable, message: "inbound email \(inboundId) cannot be released: the reply is empty once the quoted text is removed")
            }
            let (message, duplicate) = try await Self.insertMessage(
                connection: connection, inboundId: inboundId, thread: thread, authorUserId: try row.decode(UUID?.self, column: "user_id"),
                sender: try row.decode(String.self, column: "from_email"), authorName: try row.decode(String?.self, column: "from_name"),
                body: body, messageID: try row.decode(String?.self, column: "email_message_id").flatMap { MessageID(parsing: $0) },
                inReplyTo: try row.decode(String?.self, column: "in_reply_to").flatMap { PostmarkInboundPayload.messageIDs(in: $0).first },
                parent: try row.decode(UUID?.self, column: "parent_message_id"))
            try await connection.query("UPDATE inbound_emails SET status = 'threaded', released_at = now() WHERE id = $1", [inboundId])
            // duplicate: its Message-ID was already a message of ours (threaded by other means).
            return .threaded(threadId: thread, messageId: message, duplicate: duplicate)
        }
        if case .threaded(let thread, _, false) = outcome {
            Counter(label: "herald_inbound_replies_total", dimensions: [("status", "released")]).increment()
            logger.notice("inbound reply released into its thread", metadata: ["inbound.id": "\(inboundId)", "thread.id": "\(thread)"])
        }
        return outcome
    }

    /// What `receive` does with a reply, decided from what was found (no I/O).
    struct Decision: Sendable, Hashable {
        /// `threaded`, `unmatched` or `rejected`.
        var status: String
        /// Nil when threaded.
        var reason: InboundReplyOutcome.Reason?
        var threadId: UUID?
        var parentMessageId: UUID?
        /// The author when threaded; the participant whose address was claimed otherwise.
        var participant: InboundSenderPolicy.Participant?
    }

    /// The checks in order: a thread, the tenant's integration, a valid sender, the spam verdict,
    /// the sender rule, a non-empty reply.
    static func decide(match: ThreadMatch?, sender: String, spam: Bool, body: String) -> Decision {
        guard let match else {
            return Decision(status: spam ? "rejected" : "unmatched", reason: spam ? .spam : .noThread)
        }
        var decision = Decision(status: "rejected", threadId: match.threadId, parentMessageId: match.parentMessageId)
        let verdict = InboundSenderPolicy.verify(sender: sender, claim: match.claim, participants: match.participants)
        switch verdict {
        case .allowed(let participant): decision.participant = participant
        case .senderMismatch(let claimed): decision.participant = claimed
        }
        if !match.integrationEnabled {
            decision.reason = .integrationOff
        } else if !EmailAddress.isValid(sender) {
            decision.reason = .invalidSender
        } else if spam {
            decision.reason = .spam
        } else if case .senderMismatch = verdict {
            decision.reason = .senderMismatch
        } else if body.trimmingWhitespace().isEmpty {
            decision.reason = .emptyReply
        } else {
            decision.status = "threaded"
        }
        return decision
    }

    /// Inserts the reply as a message of `thread` with its fan-out job and links inbound row
    /// `inboundId` to it. Returns the message and whether it already existed (its Message-ID is
    /// already a message of ours: threaded before).
    static func insertMessage(
        connection: PostgresConnection, inboundId: UUID, thread: UUID, authorUserId: UUID?, sender: String, authorName: String?,
        body: String, messageID: MessageID?, inReplyTo: MessageID?, parent: UUID?
    ) async throws -> (message: UUID?, duplicate: Bool) {
        // author_name is checked in code points (char_length <= 200): cut by code points, at a grapheme boundary.
        let name = authorName.map { ColumnLimit.prefix(HeaderSanitizer.sanitize(Self.clean($0)), codePoints: 200) }.flatMap { $0.isEmpty ? nil : $0 }
        let created = try await connection.query(
            """
            INSERT INTO communication_messages (thread_id, author_user_id, author_email, author_name, body, source,
                                                email_message_id, email_in_reply_to, parent_message_id)
            SELECT $1, $2, $3, $4, $5, 'email', $6, $7,
                   coalesce($8::uuid, (SELECT id FROM communication_messages WHERE thread_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1))
            ON CONFLICT (email_message_id) DO NOTHING
            RETURNING id
            """,
            [thread, authorUserId, sender, name, ColumnLimit.prefix(body, codePoints: 1_000_000), messageID?.value, inReplyTo?.value, parent])
        guard let newMessage = try created.first?.decode(UUID.self, column: "id") else {
            let existing = try await connection.query("SELECT id FROM communication_messages WHERE email_message_id = $1", [messageID?.value])
            let existingId = try existing.first?.decode(UUID.self, column: "id")
            try await connection.query("UPDATE inbound_emails SET message_id = $2 WHERE id = $1", [inboundId, existingId])
            return (existingId, true)
        }
        try await connection.query("UPDATE inbound_emails SET message_id = $2 WHERE id = $1", [inboundId, newMessage])
        try await connection.query("UPDATE inbound_email_attachments SET message_id = $2 WHERE inbound_email_id = $1", [inboundId, newMessage])
        // The job the insert trigger enqueues for app messages, here in the reply's transaction.
        try await JobQueue.enqueue(
            JobRequest(kind: DiscussionFanoutHandler.kind, encoding: DiscussionFanoutHandler.Arguments(messageId: newMessage), priority: 1,
                       uniqueKey: "\(DiscussionFanoutHandler.kind):\(newMessage.lowercasedString)"),
            on: connection)
        return (newMessage, false)
    }

    /// The thread a reply claims, how it was found, and who may post there.
    struct ThreadMatch: Sendable, Hashable {
        var threadId: UUID
        var parentMessageId: UUID?
        var integrationEnabled: Bool
        var claim: InboundSenderPolicy.Claim
        var participants: [InboundSenderPolicy.Participant]
    }

    /// The thread by mailbox hash first (signed token, then a participant's reply_token), then by the
    /// referenced Message-IDs, newest first; with the thread's participants.
    func findThread(mailboxHash: String, references: [MessageID]) async throws -> ThreadMatch? {
        var threadId: UUID?
        var claim = InboundSenderPolicy.Claim.messageID
        if !mailboxHash.isEmpty {
            if let token = try? ReplyToken.verify(mailboxHash, key: key) {
                threadId = token.threadID
                claim = .signedToken(token)
            } else if mailboxHash.utf8.count <= 128,
                let row = try await pool.query(
                    "SELECT id, thread_id FROM communication_thread_participants WHERE reply_token = $1", [mailboxHash]
                ).first
            {
                threadId = try row.decode(UUID.self, column: "thread_id")
                claim = .participantToken(participantId: try row.decode(UUID.self, column: "id"))
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
        // One row per participant (one with NULLs when there is none).
        let rows = try await pool.query(
            """
            SELECT coalesce(s.email_integration_enabled, false) AS enabled, p.id, p.email, p.user_id
              FROM communication_threads t
              LEFT JOIN communication_settings s ON s.tenant_id = t.tenant_id
              LEFT JOIN communication_thread_participants p ON p.thread_id = t.id
             WHERE t.id = $1
            """, [threadId])
        guard let first = rows.first else { return nil }
        let participants = try rows.compactMap { row -> InboundSenderPolicy.Participant? in
            guard let id = try row.decode(UUID?.self, column: "id"), let email = try row.decode(String?.self, column: "email") else { return nil }
            return InboundSenderPolicy.Participant(id: id, email: email, userId: try row.decode(UUID?.self, column: "user_id"))
        }
        return ThreadMatch(
            threadId: threadId, parentMessageId: parent, integrationEnabled: try first.decode(Bool.self, column: "enabled"),
            claim: claim, participants: participants)
    }

    static func previousOutcome(inboundId: UUID, connection: PostgresConnection) async throws -> InboundReplyOutcome {
        let rows = try await connection.query(
            "SELECT id, status, thread_id, message_id, reason, error, auto_signal FROM inbound_emails WHERE id = $1", [inboundId])
        guard let row = rows.first else {
            throw DeliveryError(code: .notFound, message: "no inbound email \(inboundId)")
        }
        let id = try row.decode(UUID.self, column: "id")
        let reason = try row.decode(String?.self, column: "reason").map(InboundReplyOutcome.Reason.init(rawValue:))
        let status = try row.decode(String.self, column: "status")
        switch status {
        case "threaded":
            return .threaded(
                threadId: try row.decode(UUID.self, column: "thread_id"), messageId: try row.decode(UUID?.self, column: "message_id"), duplicate: true)
        case "unmatched":
            return .unmatched(inboundId: id, duplicate: true)
        case "auto_reply", "bounce":
            return .automatic(
                inboundId: id, kind: AutomaticEmail.Kind(rawValue: status) ?? .autoReply,
                signal: try row.decode(String?.self, column: "auto_signal") ?? "", bouncesRecorded: 0, duplicate: true)
        case "failed", "received":
            return .failed(inboundId: id, error: try row.decode(String?.self, column: "error") ?? "not processed yet", duplicate: true)
        default:
            // Rows written by hand may have no reason.
            return .rejected(
                inboundId: id, reason: reason ?? InboundReplyOutcome.Reason(rawValue: "refused"),
                threadId: try row.decode(UUID?.self, column: "thread_id"), duplicate: true)
        }
    }

    /// The claim's name in logs.
    static func name(of claim: InboundSenderPolicy.Claim) -> String {
        switch claim {
        case .signedToken: "signed_token"
        case .participantToken: "participant_token"
        case .messageID: "message_id"
        }
    }

    /// Text without NUL characters (PostgreSQL text cannot hold them).
    static func clean(_ text: String) -> String {
        text.contains("\u{0}") ? String(text.unicodeScalars.filter { $0 != "\u{0}" }.map(Character.init)) : text
    }
}
