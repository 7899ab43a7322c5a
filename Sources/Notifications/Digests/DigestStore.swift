public import Foundation
public import Postgres

/// The SQL of digests: the recipient and template, reserving a period's notifications under one
/// `digests` row, and marking them sent.
public struct DigestStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// The user's address, tenant, sender, signature and `digest` template, and whether the address is suppressed.
    public struct Recipient: Sendable {
        public var userID: UUID
        public var tenantID: UUID
        public var email: String?
        /// `notification_preferences.name`, greeted as `recipient_name`.
        public var name: String? = nil
        public var suppressed: Bool
        public var signature: String?
        public var fromEmail: String?
        public var fromName: String?
        public var template: StoredTemplate?
    }

    /// One notification reserved for a digest, with its own template (for the item's subject).
    public struct Item: Sendable {
        public var id: UUID
        public var type: String
        public var priority: NotificationPriority
        public var data: PostgresJSON
        public var createdAt: Date
        public var template: StoredTemplate?
    }

    /// The digest row and what it carries.
    public struct Reservation: Sendable {
        public var digestID: UUID
        /// Set when the digest email already went out (a re-run must not send it again).
        public var emailSentAt: Date?
        public var items: [Item]
    }

    public func recipient(userID: UUID) async throws -> Recipient? {
        let rows = try await pool.query(
            """
            SELECT p.user_id, p.tenant_id, p.email, p.name,
                   coalesce(EXISTS (SELECT 1 FROM email_suppressions e WHERE e.email = lower(p.email)), false) AS suppressed,
                   s.email_signature, s.from_email, s.from_name, \(NotificationStore.templateColumns)
              FROM notification_preferences p
              LEFT JOIN communication_settings s ON s.tenant_id = p.tenant_id
              LEFT JOIN LATERAL (
                    SELECT * FROM notification_templates t
                     WHERE t.key = 'digest' AND (t.tenant_id = p.tenant_id OR t.tenant_id IS NULL)
                     ORDER BY (t.tenant_id IS NOT NULL) DESC LIMIT 1) t ON true
             WHERE p.user_id = $1
            """, [userID])
        guard let row = rows.first else { return nil }
        return Recipient(
            userID: try row.decode(UUID.self, column: "user_id"),
            tenantID: try row.decode(UUID.self, column: "tenant_id"),
            email: try row.decode(String?.self, column: "email"),
            name: try row.decode(String?.self, column: "name"),
            suppressed: try row.decode(Bool.self, column: "suppressed"),
            signature: try row.decode(String?.self, column: "email_signature"),
            fromEmail: try row.decode(String?.self, column: "from_email"),
            fromName: try row.decode(String?.self, column: "from_name"),
            template: try NotificationStore.template(from: row))
    }

    /// In one transaction: creates the `(user, period_key)` digest row unless it exists (ON CONFLICT
    /// DO NOTHING), attaches the user's pending digest notifications created in `[start, end)` (or
    /// before `end` when `gatherOlder`), oldest first, at most `limit`, and returns every unsent
    /// notification attached to the row. An empty digest leaves no row behind.
    public func reserve(
        recipient: Recipient, frequency: String, periodKey: String, start: Date, end: Date, gatherOlder: Bool, limit: Int
    ) async throws -> Reservation? {
        try await pool.transaction { connection in
            try await connection.query(
                """
                INSERT INTO digests (user_id, tenant_id, frequency, period_key, period_start, period_end)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, period_key) DO NOTHING
                """, [recipient.userID, recipient.tenantID, frequency, periodKey, start, end])
            let digest = try await connection.query(
                "SELECT id, email_sent_at FROM digests WHERE user_id = $1 AND period_key = $2 FOR UPDATE", [recipient.userID, periodKey])
            let digestID = try digest[0].decode(UUID.self, column: "id")
            if let sentAt = try digest[0].decode(Date?.self, column: "email_sent_at") {
                return Reservation(digestID: digestID, emailSentAt: sentAt, items: [])
            }
            try await connection.query(
                """
                UPDATE notifications SET digest_id = $2
                 WHERE id IN (SELECT id FROM notifications
                               WHERE user_id = $1 AND email_sent_at IS NULL AND digest_id IS NULL
                                 AND priority IN ('normal', 'low') AND route LIKE 'digest:%' AND created_at < $3
                                 AND ($5 OR created_at >= $6)
                               ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
                """, [recipient.userID, digestID, end, limit, gatherOlder, start])
            let rows = try await connection.query(
                """
                SELECT n.id, n.type, n.priority, n.data, n.created_at, \(NotificationStore.templateColumns)
                  FROM notifications n
                  LEFT JOIN LATERAL (
                        SELECT * FROM notification_templates t
                         WHERE t.key IN (n.type, 'default') AND (t.tenant_id = n.tenant_id OR t.tenant_id IS NULL)
                         ORDER BY (t.key = n.type) DESC, (t.tenant_id IS NOT NULL) DESC LIMIT 1) t ON true
                 WHERE n.digest_id = $1 AND n.email_sent_at IS NULL
                 ORDER BY n.created_at, n.id
                """, [digestID])
            let items = try rows.map { row in
                Item(
                    id: try row.decode(UUID.self, column: "id"), type: try row.decode(String.self, column: "type"),
                    priority: NotificationPriority(rawValue: try row.decode(String.self, column: "priority")) ?? .normal,
                    data: try row.decode(PostgresJSON.self, column: "data"), createdAt: try row.decode(Date.self, column: "created_at"),
                    template: try NotificationStore.template(from: row))
            }
            if items.isEmpty {
                // Empty digests are skipped: no email and no row.
                try await connection.query(
                    "DELETE FROM digests d WHERE d.id = $1 AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.digest_id = d.id)", [digestID])
                return nil
            }
            try await connection.query("UPDATE digests SET notification_count = $2 WHERE id = $1",
                                       [digestID, Int(items.count)])
            return Reservation(digestID: digestID, emailSentAt: nil, items: items)
        }
    }

    /// Marks the digest and its notifications sent, in one statement.
    public func markSent(digestID: UUID, providerMessageID: String?) async throws {
        try await pool.query(
            """
            WITH d AS (UPDATE digests SET email_sent_at = now(), provider_message_id = $2 WHERE id = $1 AND email_sent_at IS NULL RETURNING id, email_sent_at)
            UPDATE notifications n SET email_sent_at = d.email_sent_at, provider_message_id = $2
              FROM d WHERE n.digest_id = d.id AND n.email_sent_at IS NULL
            """, [digestID, providerMessageID])
    }

    /// Records a skip reason on every unsent notification of the digest.
    public func recordSkip(digestID: UUID, reason: String) async throws {
        try await pool.query(
            "UPDATE notifications SET skip_reason = $2 WHERE digest_id = $1 AND email_sent_at IS NULL", [digestID, reason])
    }
}
