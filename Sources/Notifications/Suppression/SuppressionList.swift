public import Foundation
public import Mail
public import Postgres
import Queue

/// The addresses Herald must not email (`email_suppressions`): hard bounces, spam complaints,
/// manual entries. Case-insensitive: addresses are stored and looked up lower-cased by the
/// database's own `lower()`, so the stored form always satisfies the table's CHECK.
public struct SuppressionList: Sendable {
    /// One suppressed address.
    public struct Entry: Sendable, Hashable {
        /// Lower-case.
        public var email: String
        public var reason: String
        public var bounceType: BounceType?
        /// Who added it ('postmark_webhook', 'send_error', 'manual' …).
        public var source: String
        public var createdAt: Date
    }

    /// Where the list lives.
    public let pool: PostgresPool

    /// A list over `pool`; it holds no state (no cache: a suppression is seen at once by every process).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// True when `email` (any case, surrounding spaces ignored) is suppressed.
    public func isSuppressed(_ email: String) async throws -> Bool {
        let rows = try await pool.query(
            "SELECT EXISTS (SELECT 1 FROM email_suppressions WHERE email = lower($1::text)) AS suppressed",
            [TrackingEventInput.trimmingSpaces(email)])
        return try rows[0].decode(Bool.self, column: "suppressed")
    }

    /// Which of `emails` are suppressed, in one query; the result holds lower-cased addresses.
    public func suppressed(among emails: [String]) async throws -> Set<String> {
        guard !emails.isEmpty else { return [] }
        let rows = try await pool.query(
            "SELECT email FROM email_suppressions WHERE email = ANY (SELECT lower(e) FROM unnest($1::text[]) AS e)",
            [emails.map(TrackingEventInput.trimmingSpaces)])
        return Set(try rows.map { try $0.decode(String.self, column: "email") })
    }

    /// The entry for `email`, or nil when it is not suppressed.
    public func entry(for email: String) async throws -> Entry? {
        let rows = try await pool.query(
            "SELECT email, reason, bounce_type, source, created_at FROM email_suppressions WHERE email = lower($1::text)",
            [TrackingEventInput.trimmingSpaces(email)])
        return try rows.first.map(Self.entry(from:))
    }

    /// Suppresses `email`. Adding an address already there replaces its reason, bounce type and
    /// source and keeps its `created_at`. Throws `.invalidEmailAddress` for text that is not an address.
    @discardableResult
    public func add(
        _ email: String, reason: String, bounceType: BounceType? = nil, source: String = "manual"
    ) async throws -> Entry {
        let address = TrackingEventInput.trimmingSpaces(email)
        guard Self.looksLikeAddress(address) else {
            throw DeliveryError(code: .invalidEmailAddress, message: "cannot suppress \"\(address)\": not an email address")
        }
        let rows = try await pool.query(
            """
            INSERT INTO email_suppressions (email, reason, bounce_type, source)
            VALUES (lower($1::text), $2, $3, $4)
            ON CONFLICT (email) DO UPDATE
               SET reason = EXCLUDED.reason, bounce_type = EXCLUDED.bounce_type, source = EXCLUDED.source
            RETURNING email, reason, bounce_type, source, created_at
            """,
            [address, reason, bounceType?.rawValue, source])
        return try Self.entry(from: rows[0])
    }

    /// Lets `email` be emailed again. Returns true when it was suppressed.
    @discardableResult
    public func remove(_ email: String) async throws -> Bool {
        let rows = try await pool.query(
            "DELETE FROM email_suppressions WHERE email = lower($1::text)", [TrackingEventInput.trimmingSpaces(email)])
        return rows.affectedRows > 0
    }

    /// Lets `email` be emailed again on an operator's decision: deletes the suppression and records
    /// it in the ``OperatorActionLog`` (`remove_suppression`, by `actor`, with `note` and what the
    /// suppression said), in one transaction. Returns the removed entry, or nil when the address
    /// was not suppressed (nothing is recorded then).
    public func remove(_ email: String, by actor: String, note: String) async throws -> Entry? {
        try await pool.transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM email_suppressions WHERE email = lower($1::text) RETURNING email, reason, bounce_type, source, created_at",
                [TrackingEventInput.trimmingSpaces(email)])
            guard let entry = try rows.first.map(Self.entry(from:)) else { return nil }
            let since = String(PostgresTimestamp.format(entry.createdAt).prefix(16))
            let was = entry.source + (entry.bounceType.map { ", \($0.rawValue)" } ?? "") + " since \(since): \(entry.reason)"
            try await OperatorActionLog.record(
                actor: actor, action: "remove_suppression", target: entry.email, detail: "\(note) (was: \(was))", on: connection)
            return entry
        }
    }

    static func looksLikeAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && text.utf8.count <= 254
            && !text.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "\u{0}" }
    }

    private static func entry(from row: PostgresRow) throws -> Entry {
        Entry(
            email: try row.decode(String.self, column: "email"),
            reason: try row.decode(String.self, column: "reason"),
            bounceType: try row.decode(String?.self, column: "bounce_type").flatMap(BounceType.init(rawValue:)),
            source: try row.decode(String.self, column: "source"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}
