public import Foundation
import HeraldJSON
import Logging
import Mail
import Notifications
import Postgres
import Providers

extension InboundReplyService {
    /// What storing found.
    enum Stored: Sendable {
        /// A new row (status `received`).
        case new(UUID)
        /// The webhook was stored before (same Postmark MessageID or Message-ID header).
        case existing(UUID, status: String)
    }

    /// Largest column values written from a webhook. The unique keys are btree-indexed (an entry
    /// may not exceed about 2.7 kB), so an over-long provider id is not kept as a key; free-text
    /// columns are bounded so a hostile header cannot bloat the row (the full payload stays in `raw`).
    enum Limits {
        static let providerMessageIDBytes = 255
        static let addressCodePoints = 1_000
        static let subjectCodePoints = 10_000
        static let headerCodePoints = 100_000
        static let attachmentNameCodePoints = 255
        static let contentTypeCodePoints = 255
        static let contentIDCodePoints = 998
    }

    /// Writes the webhook to `inbound_emails` (status `received`) with its attachments, decoded,
    /// in `inbound_email_attachments`, in one transaction. Idempotent on the provider's MessageID
    /// and the Message-ID header (unique keys decide, also for concurrent retries).
    func store(_ webhook: InboundWebhook) async throws -> Stored {
        let payload = webhook.payload
        let sender = ColumnLimit.prefix(
            Self.clean(InboundSenderPolicy.senderAddress(fromFullEmail: payload.fromFull?.email, from: payload.from)), codePoints: Limits.addressCodePoints)
        let messageID = payload.header("Message-ID").flatMap { MessageID(parsing: $0) }
        let providerID = payload.messageID.map(Self.clean).flatMap { $0.isEmpty || $0.utf8.count > Limits.providerMessageIDBytes ? nil : $0 }
        let hash = ColumnLimit.prefix(Self.clean(payload.mailboxHash ?? payload.fromFull?.mailboxHash ?? ""), codePoints: Limits.addressCodePoints)
        let attachments = payload.attachments ?? []
        let raw = PostgresJSON(webhook.raw.jsonText)
        return try await pool.transaction { connection -> Stored in
            let inserted = try await connection.query(
                """
                INSERT INTO inbound_emails (provider_message_id, email_message_id, from_email, to_email, mailbox_hash, subject,
                                            text_body, html_body, in_reply_to, references_header, raw, status, attachment_count)
                VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7, $8, $9, $10, $11::jsonb, 'received', $12)
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                [providerID, messageID?.value, sender,
                 payload.to.map { ColumnLimit.prefix(Self.clean($0), codePoints: Limits.headerCodePoints) }, hash,
                 payload.subject.map { ColumnLimit.prefix(Self.clean($0), codePoints: Limits.subjectCodePoints) },
                 payload.textBody.map(Self.clean), payload.htmlBody.map(Self.clean),
                 payload.header("In-Reply-To").map { ColumnLimit.prefix(Self.clean($0), codePoints: Limits.headerCodePoints) },
                 payload.header("References").map { ColumnLimit.prefix(Self.clean($0), codePoints: Limits.headerCodePoints) },
                 raw, attachments.count])
            guard let id = try inserted.first?.decode(UUID.self, column: "id") else {
                let rows = try await connection.query(
                    """
                    SELECT id, status FROM inbound_emails
                     WHERE provider_message_id = $1 OR email_message_id = $2 ORDER BY received_at LIMIT 1
                    """, [providerID, messageID?.value])
                guard let row = rows.first else {
                    throw DeliveryError(code: .invalidText, message: "the inbound email conflicts with a stored one that cannot be read")
                }
                return .existing(try row.decode(UUID.self, column: "id"), status: try row.decode(String.self, column: "status"))
            }
            // One attachment at a time: its base64 text is released once decoded, and its bytes once sent.
            for (position, attachment) in attachments.enumerated() {
                let bytes = webhook.takeContent(at: position).map(Base64Content.decode) ?? []
                try await connection.query(
                    """
                    INSERT INTO inbound_email_attachments (inbound_email_id, position, name, content_type, size, content_id, content)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """,
                    [id, position, Self.headerSafe(attachment.name ?? "", limit: Limits.attachmentNameCodePoints),
                     Self.headerSafe(attachment.contentType ?? "", limit: Limits.contentTypeCodePoints).nonEmpty ?? "application/octet-stream",
                     bytes.count, attachment.contentID.map(Self.contentID).flatMap(\.nonEmpty), Bytea(bytes)])
            }
            return .new(id)
        }
    }

    /// Keeps an authenticated webhook whose body is not a JSON object: status `failed`, reason
    /// `processing_error`, the body text in `text_body` (never lost, never processed).
    public func keepMalformed(body: String, problem: String) async throws -> UUID {
        let rows = try await pool.query(
            """
            INSERT INTO inbound_emails (from_email, text_body, status, reason, error, attempts, processed_at)
            VALUES ('', $1, 'failed', 'processing_error', $2, 1, now())
            RETURNING id
            """, [Self.clean(body), ColumnLimit.prefix(Self.clean(problem), codePoints: 1_000)])
        let id = try rows[0].decode(UUID.self, column: "id")
        logger.warning("inbound webhook body is not a JSON object; kept in inbound_emails", metadata: ["inbound.id": "\(id)"])
        return id
    }

    /// One line, no CR/LF or NUL, at most `limit` code points.
    static func headerSafe(_ text: String, limit: Int) -> String {
        ColumnLimit.prefix(HeaderSanitizer.sanitize(clean(text)).trimmingWhitespace(), codePoints: limit)
    }

    /// A Content-ID without its angle brackets.
    static func contentID(_ text: String) -> String {
        var value = headerSafe(text, limit: Limits.contentIDCodePoints + 2)
        if value.hasPrefix("<") && value.hasSuffix(">") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
        return ColumnLimit.prefix(value, codePoints: Limits.contentIDCodePoints)
    }
}

/// bytea bound in binary format, without copying the bytes into a `Data` first.
struct Bytea: PostgresBindable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.bytea, bytes: bytes, format: .binary) }
}

extension String {
    /// Nil when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
