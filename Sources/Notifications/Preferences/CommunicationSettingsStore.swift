public import Foundation
public import Postgres

/// Reads and updates tenants' communication settings (`communication_settings`).
///
/// The signature limit is enforced twice: `update` refuses a signature over 2,000 characters
/// before any statement runs, and the table's CHECK `communication_settings_email_signature_length`
/// refuses it from any other writer. Nothing is ever shortened.
public struct CommunicationSettingsStore: Sendable {
    /// Where the settings live.
    public let pool: PostgresPool

    /// A store over `pool`; it holds no state of its own.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The tenant's settings, or nil when it has no row (then `CommunicationSettings.defaults` apply).
    public func settings(tenantId: UUID) async throws -> CommunicationSettings? {
        let rows = try await pool.query("SELECT \(Self.columns) FROM communication_settings WHERE tenant_id = $1", [tenantId])
        return try rows.first.map(Self.settings(from:))
    }

    /// The tenant's settings, or the defaults (integration off) when it has no row.
    public func settingsOrDefaults(tenantId: UUID) async throws -> CommunicationSettings {
        try await settings(tenantId: tenantId) ?? .defaults(tenantId: tenantId)
    }

    /// Creates or updates the tenant's settings in one statement and returns them.
    ///
    /// A nil argument leaves that setting as it is (a new row gets the default); an empty string
    /// clears it. A signature over 2,000 characters (counted like PostgreSQL's `char_length`:
    /// Unicode scalars, not grapheme clusters) is refused with `.signatureTooLong` before the
    /// database is touched. Other invalid values (a reply domain that is not a host name, a
    /// From name with a line break …) are refused by the table's CHECKs as a `PostgresError`
    /// naming the constraint.
    @discardableResult
    public func update(
        tenantId: UUID, emailIntegrationEnabled: Bool? = nil, emailReplyDomain: String? = nil, signature: String? = nil,
        fromEmail: String? = nil, fromName: String? = nil
    ) async throws -> CommunicationSettings {
        if let signature { try CommunicationSettings.validateSignature(signature) }
        let rows = try await pool.query(
            """
            INSERT INTO communication_settings AS s
                   (tenant_id, email_integration_enabled, email_reply_domain, email_signature, from_email, from_name)
            VALUES ($1, coalesce($2::boolean, false), nullif($3::text, ''), nullif($4::text, ''), nullif($5::text, ''), nullif($6::text, ''))
            ON CONFLICT (tenant_id) DO UPDATE SET
                email_integration_enabled = coalesce($2::boolean, s.email_integration_enabled),
                email_reply_domain = CASE WHEN $3::text IS NULL THEN s.email_reply_domain ELSE nullif($3::text, '') END,
                email_signature = CASE WHEN $4::text IS NULL THEN s.email_signature ELSE nullif($4::text, '') END,
                from_email = CASE WHEN $5::text IS NULL THEN s.from_email ELSE nullif($5::text, '') END,
                from_name = CASE WHEN $6::text IS NULL THEN s.from_name ELSE nullif($6::text, '') END
            RETURNING \(Self.columns)
            """,
            [tenantId, emailIntegrationEnabled, emailReplyDomain, signature, fromEmail, fromName])
        return try Self.settings(from: rows[0])
    }

    private static let columns = "tenant_id, email_integration_enabled, email_reply_domain, email_signature, from_email, from_name, updated_at"

    private static func settings(from row: PostgresRow) throws -> CommunicationSettings {
        CommunicationSettings(
            tenantId: try row.decode(UUID.self, column: "tenant_id"),
            emailIntegrationEnabled: try row.decode(Bool.self, column: "email_integration_enabled"),
            emailReplyDomain: try row.decode(String?.self, column: "email_reply_domain"),
            emailSignature: try row.decode(String?.self, column: "email_signature"),
            fromEmail: try row.decode(String?.self, column: "from_email"),
            fromName: try row.decode(String?.self, column: "from_name"),
            updatedAt: try row.decode(Date.self, column: "updated_at"))
    }
}
