public import Foundation
import Postgres
import Queue

/// The replies Herald held back (not threaded, not discarded), as operators review them: list,
/// release into their claimed thread, or discard. Each action is recorded in the
/// ``OperatorActionLog`` by the operator who took it.
extension InboundReplyService {
    /// A reply that was not threaded and that nobody discarded.
    public struct HeldReply: Sendable, Hashable {
        /// The `inbound_emails` row.
        public var id: UUID
        public var receivedAt: Date
        /// `rejected`, `unmatched`, `auto_reply`, `bounce`, `failed` …
        public var status: String
        /// ``InboundReplyOutcome/Reason`` raw value, when one was recorded.
        public var reason: String?
        public var fromEmail: String
        /// The address of the participant whose reply address it used.
        public var claimedEmail: String?
        public var subject: String?
        /// The first 200 characters of the reply (stripped text, else the text body).
        public var preview: String
        /// The thread it claimed, and that thread's subject.
        public var threadID: UUID?
        public var threadSubject: String?
        /// ``release(inboundId:by:)`` would thread it: kept for `sender_mismatch` or `spam`, with a thread.
        public var isReleasable: Bool
    }

    /// The 100 most recently received held replies, newest first.
    public func heldReplies() async throws -> [HeldReply] {
        try await pool.query(
            """
            SELECT i.id, i.received_at, i.status, i.reason, i.from_email, p.email AS claimed_email, i.subject,
                   left(coalesce(i.stripped_text, i.text_body, ''), 200) AS preview, i.thread_id, t.subject AS thread_subject,
                   (i.status = 'rejected' AND i.reason IN ('sender_mismatch', 'spam') AND i.thread_id IS NOT NULL) AS releasable
              FROM inbound_emails i
              LEFT JOIN communication_thread_participants p ON p.id = i.participant_id
              LEFT JOIN communication_threads t ON t.id = i.thread_id
             WHERE i.status <> 'threaded' AND i.discarded_at IS NULL
             ORDER BY i.received_at DESC LIMIT 100
            """
        ).map { row in
            HeldReply(
                id: try row.decode(UUID.self, column: "id"), receivedAt: try row.decode(Date.self, column: "received_at"),
                status: try row.decode(String.self, column: "status"), reason: try row.decode(String?.self, column: "reason"),
                fromEmail: try row.decode(String.self, column: "from_email"), claimedEmail: try row.decode(String?.self, column: "claimed_email"),
                subject: try row.decode(String?.self, column: "subject"), preview: try row.decode(String.self, column: "preview"),
                threadID: try row.decode(UUID?.self, column: "thread_id"), threadSubject: try row.decode(String?.self, column: "thread_subject"),
                isReleasable: try row.decode(Bool?.self, column: "releasable") ?? false)
        }
    }

    /// How many held replies claim thread `id`.
    public func heldReplyCount(thread id: UUID) async throws -> Int {
        try await pool.query(
            "SELECT count(*)::bigint AS n FROM inbound_emails WHERE thread_id = $1 AND status <> 'threaded' AND discarded_at IS NULL", [id]
        )[0].decode(Int.self, column: "n")
    }

    /// ``release(inboundId:)`` on an operator's decision, recorded as `release_inbound` by `actor`.
    /// - Throws: what ``release(inboundId:)`` throws (then nothing is recorded).
    @discardableResult
    public func release(inboundId: UUID, by actor: String) async throws -> InboundReplyOutcome {
        let outcome = try await release(inboundId: inboundId)
        try await OperatorActionLog(pool: pool).record(actor: actor, action: "release_inbound", target: inboundId.lowercasedString)
        return outcome
    }

    /// Hides a held reply from the held list (`discarded_at`, `discarded_by`, `discard_note`; the
    /// row and its raw webhook stay), recorded as `discard_inbound` by `actor` with `note`, in one
    /// transaction. Returns false when the reply is threaded, already discarded or unknown.
    public func discard(inboundId: UUID, by actor: String, note: String) async throws -> Bool {
        try await pool.transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE inbound_emails SET discarded_at = now(), discarded_by = $2, discard_note = nullif($3, '')
                 WHERE id = $1 AND status <> 'threaded' AND discarded_at IS NULL RETURNING id
                """, [inboundId, actor, note])
            guard !rows.isEmpty else { return false }
            try await OperatorActionLog.record(
                actor: actor, action: "discard_inbound", target: inboundId.lowercasedString, detail: note, on: connection)
            return true
        }
    }
}
