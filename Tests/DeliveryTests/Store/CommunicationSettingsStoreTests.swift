import Foundation
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Testing

@Suite("CommunicationSettingsStore")
struct CommunicationSettingsStoreTests {
    @Test func signatureOfTwoThousandCharactersIsStoredWhole() async throws {
        try await withTestDatabase("sig2000") { db in
            let pool = db.pool()
            let store = CommunicationSettingsStore(pool: pool)
            let tenant = UUID()
            let signature = String(repeating: "x", count: 1999) + "é"
            let saved = try await store.update(tenantId: tenant, signature: signature)
            #expect(saved.emailSignature == signature)
            #expect(try await store.settings(tenantId: tenant)?.emailSignature == signature)
            // 1,000 "e" + combining acute: 1,000 grapheme clusters, 2,000 scalars: the limit exactly.
            let combining = String(repeating: "e\u{301}", count: 1000)
            #expect(try await store.update(tenantId: tenant, signature: combining).emailSignature == combining)
            await pool.close()
        }
    }

    @Test func signatureOverTwoThousandIsRefusedBeforeTheDatabase() async throws {
        try await withTestDatabase("sig2001") { db in
            let pool = db.pool()
            let store = CommunicationSettingsStore(pool: pool)
            let tenant = UUID()
            try await store.update(tenantId: tenant, emailIntegrationEnabled: true, signature: "Regards, Acme")
            let error = try await #require(throws: DeliveryError.self) {
                try await store.update(tenantId: tenant, emailIntegrationEnabled: false, signature: String(repeating: "a", count: 2001))
            }
            #expect(error.code == .signatureTooLong)
            #expect(error.message.contains("2,001") && error.message.contains("2,000"))
            // Counted like PostgreSQL: 1,001 grapheme clusters of 2 scalars each is 2,002 characters.
            let combining = try await #require(throws: DeliveryError.self) {
                try await store.update(tenantId: tenant, signature: String(repeating: "e\u{301}", count: 1001))
            }
            #expect(combining.code == .signatureTooLong)
            let nul = try await #require(throws: DeliveryError.self) {
                try await store.update(tenantId: tenant, signature: "Regards\u{0}hidden")
            }
            #expect(nul.code == .invalidText)
            // Nothing was written by the refused calls: not the signature, not the other fields.
            let current = try #require(try await store.settings(tenantId: tenant))
            #expect(current.emailSignature == "Regards, Acme")
            #expect(current.emailIntegrationEnabled)
            // A new tenant refused gets no row at all.
            let newTenant = UUID()
            await #expect(throws: DeliveryError.self) {
                try await store.update(tenantId: newTenant, signature: String(repeating: "a", count: 2001))
            }
            #expect(try await store.settings(tenantId: newTenant) == nil)
            await pool.close()
        }
    }

    @Test func databaseRefusesAnOverlongSignatureFromAnyWriter() async throws {
        try await withTestDatabase("sigsql") { db in
            let c = try await db.connect()
            let error = try await #require(throws: PostgresError.self) {
                try await c.query("INSERT INTO communication_settings (tenant_id, email_signature) VALUES ($1, $2)",
                                  [UUID(), String(repeating: "a", count: 2001)])
            }
            #expect(error.constraintName == "communication_settings_email_signature_length")
            #expect(error.sqlState == "23514")
            #expect(error.description.contains("communication_settings_email_signature_length"))
            let tenant = UUID()
            try await c.query("INSERT INTO communication_settings (tenant_id, email_signature) VALUES ($1, 'short')", [tenant])
            let update = try await #require(throws: PostgresError.self) {
                try await c.query("UPDATE communication_settings SET email_signature = email_signature || $2 WHERE tenant_id = $1",
                                  [tenant, String(repeating: "b", count: 1996)])
            }
            #expect(update.constraintName == "communication_settings_email_signature_length")
            await c.close()
        }
    }

    @Test func nilLeavesASettingAndEmptyClearsIt() async throws {
        try await withTestDatabase("settings") { db in
            let pool = db.pool()
            let store = CommunicationSettingsStore(pool: pool)
            let tenant = UUID()
            #expect(try await store.settings(tenantId: tenant) == nil)
            let defaults = try await store.settingsOrDefaults(tenantId: tenant)
            #expect(!defaults.emailIntegrationEnabled && defaults.emailSignature == nil)

            let created = try await store.update(
                tenantId: tenant, emailIntegrationEnabled: true, emailReplyDomain: "reply.acme.test", signature: "Acme",
                fromEmail: "support@acme.test", fromName: "Acme Support")
            #expect(created.emailIntegrationEnabled && created.emailReplyDomain == "reply.acme.test" && created.fromName == "Acme Support")
            let changed = try await store.update(tenantId: tenant, signature: "")
            #expect(changed.emailSignature == nil)
            #expect(changed.emailIntegrationEnabled && changed.emailReplyDomain == "reply.acme.test" && changed.fromEmail == "support@acme.test")
            let off = try await store.update(tenantId: tenant, emailIntegrationEnabled: false)
            #expect(!off.emailIntegrationEnabled && off.fromName == "Acme Support")
            // Other rules are the table's, with the constraint named.
            let domain = try await #require(throws: PostgresError.self) {
                try await store.update(tenantId: tenant, emailReplyDomain: "reply@acme.test")
            }
            #expect(domain.constraintName == "communication_settings_email_reply_domain_check")
            #expect(try await store.settings(tenantId: tenant)?.emailReplyDomain == "reply.acme.test")
            await pool.close()
        }
    }

    @Test func overlongSignatureNeverReachesTheServer() async throws {
        // Nothing listens on port 1: any statement would fail with a connection error.
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: "postgresql://herald@127.0.0.1:1/none", connectTimeout: 2))
        let store = CommunicationSettingsStore(pool: pool)
        let error = try await #require(throws: DeliveryError.self) {
            try await store.update(tenantId: UUID(), signature: String(repeating: "a", count: 2001))
        }
        #expect(error.code == .signatureTooLong)
        #expect(pool.openConnections == 0)
        await pool.close()
    }

    @Test func validateSignatureCountsUnicodeScalars() throws {
        try CommunicationSettings.validateSignature(String(repeating: "🙂", count: 2000))
        #expect(throws: DeliveryError.self) { try CommunicationSettings.validateSignature(String(repeating: "🇫🇷", count: 1001)) }
        try CommunicationSettings.validateSignature("")
    }
}
