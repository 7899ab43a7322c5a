import Foundation
import Logging
import Mail
import Metrics
import Postgres
import Providers

extension InboundReplyService {
    /// Processes stored row `inboundId` (status `received` or `failed`): automatic email is kept as
    /// `auto_reply` / `bounce`; anything else is matched to its thread and threaded, or kept with
    /// its reason. Any error on the way leaves the row `failed` with the error instead.
    func process(inboundId: UUID, payload: PostmarkInboundPayload) async throws -> InboundReplyOutcome {
        let outcome: InboundReplyOutcome
        let claim: String?
        do {
            (outcome, claim) = try await processOnce(inboundId: inboundId, payload: payload)
        } catch {
            let message = Self.describe(error)
            let rows = try await pool.query(
                """
                UPDATE inbound_emails SET status = 'failed', reason = 'processing_error', error = $2,
                       attempts = attempts + 1, processed_at = now()
                 WHERE id = $1 AND status IN ('received', 'failed')
                RETURNING id
                """, [inboundId, message])
            if rows.isEmpty {
                // Another delivery of the same webhook finished it meanwhile.
                return try await pool.withConnection { try await Self.previousOutcome(inboundId: inboundId, connection: $0) }
            }
            Counter(label: "herald_inbound_replies_total", dimensions: [("status", "failed")]).increment()
            logger.error("inbound email processing failed; kept in inbound_emails for herald inbound reprocess", metadata: [
                "inbound.id": "\(inboundId)", "error": "\(message)"])
            return .failed(inboundId: inboundId, error: message, duplicate: false)
        }
        Counter(label: "herald_inbound_replies_total", dimensions: [("status", outcome.status)]).increment()
        switch outcome {
        case .unmatched(let id, false):
            logger.warning("inbound reply matched no thread; kept in inbound_emails", metadata: ["inbound.id": "\(id)", "reason": "\(InboundReplyOutcome.Reason.noThread)"])
        case .rejected(let id, let reason, let thread, false):
            Counter(label: "herald_inbound_replies_refused_total", dimensions: [("reason", reason.rawValue)]).increment()
            var metadata: Logger.Metadata = ["inbound.id": "\(id)", "reason": "\(reason)"]
            if let thread { metadata["thread.id"] = "\(thread)" }
            if let claim { metadata["inbound.claim"] = "\(claim)" }
            logger.warning("inbound reply not threaded; kept in inbound_emails", metadata: metadata)
        case .automatic(let id, let kind, _, let bounces, false):
            logger.notice("automatic email kept out of the thread", metadata: [
                "inbound.id": "\(id)", "reason": "\(kind.rawValue)", "tracking.bounces": "\(bounces)"])
        default:
            break
        }
        return outcome
    }

    /// The outcome, and how the thread was claimed (for the logs).
    private func processOnce(inboundId: UUID, payload: PostmarkInboundPayload) async throws -> (InboundReplyOutcome, String?) {
        let sender = Self.clean(InboundSenderPolicy.senderAddress(fromFullEmail: payload.fromFull?.email, from: payload.from))
        let messageID = payload.header("Message-ID").flatMap { MessageID(parsing: $0) }
        let inReplyTo = payload.header("In-Reply-To").flatMap { PostmarkInboundPayload.messageIDs(in: $0).first }
        let hash = Self.clean(payload.mailboxHash ?? payload.fromFull?.mailboxHash ?? "")
        let headers = (payload.headers ?? []).compactMap { header -> (name: String, value: String)? in
            guard let name = header.name else { return nil }
            return (name, Self.clean(header.value ?? ""))
        }
        let verdict = AutomaticEmail.classify(
            headers: headers, sender: sender, subject: Self.clean(payload.subject ?? ""),
            partTypes: (payload.attachments ?? []).compactMap(\.contentType))
        let reply = InboundReplyText.extract(
            textBody: payload.textBody.map(Self.clean), htmlBody: payload.htmlBody.map(Self.clean),
            strippedTextReply: payload.strippedTextReply.map(Self.clean))
        let match = try await findThread(mailboxHash: ColumnLimit.prefix(hash, utf8Bytes: 1_000), references: payload.referencedMessageIDs)

        let claim = match.map { Self.name(of: $0.claim) }
        if let verdict {
            return (try await keepAutomatic(inboundId: inboundId, verdict: verdict, payload: payload, reply: reply, threadId: match?.threadId), claim)
        }
        let decision = Self.decide(
            match: match, sender: sender, spam: InboundSenderPolicy.isSpam(xSpamStatus: payload.header("X-Spam-Status")), body: reply)
        let outcome = try await pool.transaction { connection -> InboundReplyOutcome in
            guard try await Self.lockUnprocessed(inboundId, connection: connection) else {
                return try await Self.previousOutcome(inboundId: inboundId, connection: connection)
            }
            try await connection.query(
                """
                UPDATE inbound_emails
                   SET status = $2, thread_id = $3, error = $4, reason = $5, participant_id = $6, parent_message_id = $7,
                       stripped_text = $8, attempts = attempts + 1, processed_at = now()
                 WHERE id = $1
                """,
                [inboundId, decision.status, decision.threadId, decision.reason?.explanation, decision.reason?.rawValue,
                 decision.participant?.id, decision.parentMessageId, reply])
            guard decision.status == "threaded", let thread = decision.threadId else {
                guard let reason = decision.reason, reason != .noThread else { return .unmatched(inboundId: inboundId, duplicate: false) }
                return .rejected(inboundId: inboundId, reason: reason, threadId: decision.threadId, duplicate: false)
            }
            let (message, duplicate) = try await Self.insertMessage(
                connection: connection, inboundId: inboundId, thread: thread, authorUserId: decision.participant?.userId, sender: sender,
                authorName: payload.fromFull?.name ?? payload.fromName, body: reply, messageID: messageID, inReplyTo: inReplyTo,
                parent: decision.parentMessageId)
            return .threaded(threadId: thread, messageId: message, duplicate: duplicate)
        }
        return (outcome, claim)
    }

    /// Keeps automatic email: status and reason `auto_reply` / `bounce`, the signal, the thread it
    /// concerns (for context only). A bounce naming a discussion email's Message-ID or recipient is
    /// recorded on its `discussion_email_tracking` row(s).
    private func keepAutomatic(
        inboundId: UUID, verdict: AutomaticEmail.Verdict, payload: PostmarkInboundPayload, reply: String, threadId: UUID?
    ) async throws -> InboundReplyOutcome {
        try await pool.transaction { connection -> InboundReplyOutcome in
            guard try await Self.lockUnprocessed(inboundId, connection: connection) else {
                return try await Self.previousOutcome(inboundId: inboundId, connection: connection)
            }
            var recorded = 0
            var explanation = verdict.kind == .bounce ? InboundReplyOutcome.Reason.bounce.explanation : InboundReplyOutcome.Reason.autoReply.explanation
            if verdict.kind == .bounce {
                // The report's own parts (delivery-status, returned headers) are small; read their start only.
                let parts = try await connection.query(
                    """
                    SELECT convert_from(substring(content from 1 for 65536), 'UTF8') AS text
                      FROM inbound_email_attachments
                     WHERE inbound_email_id = $1
                       AND lower(content_type) ~ '^(message/(global-)?delivery-status|text/rfc822-headers|message/rfc822|message/global-headers)'
                     ORDER BY position
                    """, [inboundId]).compactMap { try? $0.decode(String?.self, column: "text") }
                let report = DeliveryReport(
                    texts: [payload.textBody ?? ""] + parts, extraRecipients: payload.header("X-Failed-Recipients").map { [$0] } ?? [])
                recorded = try await Self.recordBounce(report, threadId: threadId, connection: connection)
                explanation += "; recorded on \(recorded) tracking row(s)"
            }
            try await connection.query(
                """
                UPDATE inbound_emails
                   SET status = $2, reason = $2, auto_signal = $3, error = $4, thread_id = $5, stripped_text = $6,
                       attempts = attempts + 1, processed_at = now()
                 WHERE id = $1
                """,
                [inboundId, verdict.kind.rawValue, ColumnLimit.prefix(verdict.signal, codePoints: 1_000), explanation, threadId, reply])
            return .automatic(inboundId: inboundId, kind: verdict.kind, signal: verdict.signal, bouncesRecorded: recorded, duplicate: false)
        }
    }

    /// Records a bounce reported by email: on the tracking rows of the Message-IDs it names (only
    /// those of the named recipients, when it names any), else on the latest email of the thread
    /// (or, without a thread, of the last 14 days) to each named recipient. Returns the rows updated.
    static func recordBounce(_ report: DeliveryReport, threadId: UUID?, connection: PostgresConnection) async throws -> Int {
        let assignments = DiscussionEmailTrackingStore.bounceAssignments
        var updated = 0
        if !report.messageIDs.isEmpty {
            updated = try await connection.query(
                """
                UPDATE discussion_email_tracking t SET \(assignments)
                 WHERE t.email_message_id = ANY($4::text[]) AND (cardinality($5::text[]) = 0 OR lower(t.recipient_email) = ANY($5::text[]))
                RETURNING t.id
                """, [report.bounceType.rawValue, report.reason, Date(), report.messageIDs, report.recipients]).count
        }
        if updated == 0, !report.recipients.isEmpty {
            updated = try await connection.query(
                """
                UPDATE discussion_email_tracking t SET \(assignments)
                 WHERE t.id IN (SELECT DISTINCT ON (lower(recipient_email)) id FROM discussion_email_tracking
                                 WHERE lower(recipient_email) = ANY($4::text[])
                                   AND CASE WHEN $5::uuid IS NULL THEN sent_at > now() - interval '14 days' ELSE thread_id = $5::uuid END
                                 ORDER BY lower(recipient_email), sent_at DESC NULLS LAST)
                RETURNING t.id
                """, [report.bounceType.rawValue, report.reason, Date(), report.recipients, threadId]).count
        }
        return updated
    }

    /// Locks row `id` and says whether it still waits for processing (`received` or `failed`).
    static func lockUnprocessed(_ id: UUID, connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT status FROM inbound_emails WHERE id = $1 FOR UPDATE", [id])
        let status = try rows.first?.decode(String.self, column: "status")
        return status == "received" || status == "failed"
    }

    /// An error as stored in `inbound_emails.error`: its description (PostgresError keeps SQL text
    /// and parameters out of it), one line, bounded.
    static func describe(_ error: any Error) -> String {
        ColumnLimit.prefix(HeaderSanitizer.sanitize(String(describing: error)), codePoints: 1_000)
    }
}
