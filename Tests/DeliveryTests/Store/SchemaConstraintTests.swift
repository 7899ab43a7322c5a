import Foundation
import HeraldTestSupport
import Postgres
import Testing

/// Every rule of the schema is the database's own: a bad row is refused by a named constraint,
/// whoever writes it.
@Suite("Store schema: constraints refuse bad rows")
struct SchemaConstraintTests {
    @discardableResult
    func refused(
        _ connection: PostgresConnection, _ constraint: String, sqlState: String = "23514", _ sql: String,
        _ parameters: [any PostgresBindable] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) async -> PostgresError? {
        await StoreFixtures.expectRefused(connection, constraint: constraint, sqlState: sqlState, sql, parameters, sourceLocation: sourceLocation)
    }

    @Test func communicationSettings() async throws {
        try await withTestDatabase("cs") { db in
            let c = try await db.connect()
            let insert = "INSERT INTO communication_settings (tenant_id, email_signature, email_reply_domain, from_name, from_email) VALUES ($1, $2, $3, $4, $5)"
            // The limit is inclusive and counted in characters, not bytes.
            try await c.query(insert, [UUID(), String(repeating: "é", count: 2000), "reply.example.com", "Acme Support", "support@acme.test"])
            await refused(c, "communication_settings_email_signature_length", insert,
                          [UUID(), String(repeating: "a", count: 2001), nil as String?, nil as String?, nil as String?])
            for domain in ["reply@example.com", "https://example.com", "example.com.", "-bad.example.com", "has space.com", ""] {
                await refused(c, "communication_settings_email_reply_domain_check", insert,
                              [UUID(), nil as String?, domain, nil as String?, nil as String?])
            }
            try await c.query(insert, [UUID(), nil as String?, "localhost", nil as String?, nil as String?])
            await refused(c, "communication_settings_from_name_check", insert,
                          [UUID(), nil as String?, nil as String?, "Acme\r\nBcc: victim@example.com", nil as String?])
            await refused(c, "communication_settings_from_email_check", insert,
                          [UUID(), nil as String?, nil as String?, nil as String?, "not-an-address"])
            // A tenant without a row has integration off; the default on insert is off too.
            let tenant = UUID()
            try await c.query("INSERT INTO communication_settings (tenant_id) VALUES ($1)", [tenant])
            let enabled = try await c.query("SELECT email_integration_enabled FROM communication_settings WHERE tenant_id = $1", [tenant])
            #expect(try enabled[0].decode(Bool.self, column: "email_integration_enabled") == false)
            await c.close()
        }
    }

    @Test func notificationPreferences() async throws {
        try await withTestDatabase("prefs") { db in
            let c = try await db.connect()
            let insert = "INSERT INTO notification_preferences (user_id, tenant_id, phone, digest_frequency, time_zone, digest_hour) VALUES ($1, $2, $3, $4, $5, $6)"
            func row(phone: String? = "+33612345678", frequency: String = "daily", zone: String = "Europe/Paris", hour: Int = 8) -> [any PostgresBindable] {
                [UUID(), UUID(), phone, frequency, zone, hour]
            }
            try await c.query(insert, row())
            try await c.query(insert, row(phone: nil, frequency: "never", zone: "America/Argentina/Buenos_Aires", hour: 0))
            try await c.query(insert, row(phone: "+12", frequency: "monthly", zone: "UTC", hour: 23))
            try await c.query(insert, row(phone: "+123456789012345", frequency: "weekly", zone: "Etc/GMT+5"))

            for phone in ["0612345678", "+0612345678", "+1234567890123456", "+1", "+33 6 12 34 56 78", ""] {
                await refused(c, "notification_preferences_phone_check", insert, row(phone: phone))
            }
            for frequency in ["hourly", "Daily", ""] {
                await refused(c, "notification_preferences_digest_frequency_check", insert, row(frequency: frequency))
            }
            // Only tz database names in their own spelling: no offsets, abbreviations, POSIX rules.
            for zone in ["Mars/Phobos", "PST", "CEST", "europe/paris", "+02:00", "5", "ABC+3", "UTC+5", "", "Europe/Paris; DROP TABLE x"] {
                await refused(c, "notification_preferences_time_zone_check", insert, row(zone: zone))
            }
            for hour in [24, -1] {
                await refused(c, "notification_preferences_digest_hour_check", insert, row(hour: hour))
            }
            // Defaults: daily digest at 08:00 UTC, SMS off.
            let user = UUID()
            try await c.query("INSERT INTO notification_preferences (user_id, tenant_id) VALUES ($1, $2)", [user, UUID()])
            let defaults = try await c.query("SELECT digest_frequency, time_zone, digest_hour, sms_enabled FROM notification_preferences WHERE user_id = $1", [user])[0]
            #expect(try defaults.decode(String.self, column: "digest_frequency") == "daily")
            #expect(try defaults.decode(String.self, column: "time_zone") == "UTC")
            #expect(try defaults.decode(Int.self, column: "digest_hour") == 8)
            #expect(try defaults.decode(Bool.self, column: "sms_enabled") == false)
            await c.close()
        }
    }

    @Test func timeZoneCheckLeavesTheSessionTimeZoneAlone() async throws {
        try await withTestDatabase("tz") { db in
            let c = try await db.connect()
            try await c.execute("SET TimeZone = 'Asia/Tokyo'")
            let rows = try await c.query("SELECT herald_is_valid_time_zone('Europe/Paris') AS ok, current_setting('TimeZone') AS zone")
            #expect(try rows[0].decode(Bool.self, column: "ok"))
            #expect(try rows[0].decode(String.self, column: "zone") == "Asia/Tokyo")
            // Every zone PostgreSQL lists is accepted.
            let refusedNames = try await c.query("SELECT count(*) AS n FROM pg_timezone_names WHERE NOT herald_is_valid_time_zone(name)")
            #expect(try refusedNames[0].decode(Int.self, column: "n") == 0)
            await c.close()
        }
    }

    @Test func notificationsAndDigests() async throws {
        try await withTestDatabase("notif") { db in
            let c = try await db.connect()
            let insert = "INSERT INTO notifications (tenant_id, user_id, type, priority, data) VALUES ($1, $2, $3, $4, $5)"
            try await c.query(insert, [UUID(), UUID(), "task.assigned", "urgent", PostgresJSON(#"{"task_title":"Paint"}"#)])
            for priority in ["critical", "URGENT", ""] {
                await refused(c, "notifications_priority_check", insert, [UUID(), UUID(), "task.assigned", priority, PostgresJSON("{}")])
            }
            await refused(c, "notifications_data_check", insert, [UUID(), UUID(), "task.assigned", "low", PostgresJSON("[1,2]")])
            await refused(c, "notifications_type_check", insert, [UUID(), UUID(), "task assigned", "low", PostgresJSON("{}")])
            await refused(c, "notifications_type_check", insert, [UUID(), UUID(), "", "low", PostgresJSON("{}")])

            let digest = "INSERT INTO digests (user_id, tenant_id, frequency, period_key, period_start, period_end) VALUES ($1, $2, $3, $4, $5, $6)"
            let user = UUID()
            try await c.query(digest, [user, UUID(), "daily", "daily:2026-01-01", StoreFixtures.date(0), StoreFixtures.date(86_400)])
            await refused(c, "digests_user_period_key", sqlState: "23505", digest,
                          [user, UUID(), "daily", "daily:2026-01-01", StoreFixtures.date(0), StoreFixtures.date(86_400)])
            await refused(c, "digests_frequency_check", digest,
                          [user, UUID(), "never", "never:2026-01-01", StoreFixtures.date(0), StoreFixtures.date(86_400)])
            await refused(c, "digests_period_check", digest,
                          [user, UUID(), "daily", "daily:2026-01-02", StoreFixtures.date(86_400), StoreFixtures.date(86_400)])
            await refused(c, "notifications_digest_id_fkey", sqlState: "23503",
                          "INSERT INTO notifications (tenant_id, user_id, type, digest_id) VALUES ($1, $2, 'x', $3)", [UUID(), UUID(), UUID()])
            await c.close()
        }
    }

    @Test func notificationTemplates() async throws {
        try await withTestDatabase("tpl") { db in
            let c = try await db.connect()
            // The seeded defaults are there, one per key.
            let keys = try await c.query("SELECT key FROM notification_templates WHERE tenant_id IS NULL ORDER BY key")
            #expect(try keys.map { try $0.decode(String.self, column: "key") } == ["default", "digest", "invoice.overdue", "message.posted", "task.assigned"])
            let insert = "INSERT INTO notification_templates (key, tenant_id, subject, html_body, text_body, sms_body) VALUES ($1, $2, $3, $4, $5, $6)"
            // NULLS NOT DISTINCT: a second default for a key is refused; a tenant override is not.
            await refused(c, "notification_templates_key_tenant_key", sqlState: "23505", insert,
                          ["task.assigned", nil as UUID?, "s", "h", "t", nil as String?])
            let tenant = UUID()
            try await c.query(insert, ["task.assigned", tenant, "Tâche : {{task_title}}", "<p>{{task_title}}</p>", "{{task_title}}", nil as String?])
            await refused(c, "notification_templates_key_tenant_key", sqlState: "23505", insert,
                          ["task.assigned", tenant, "s", "h", "t", nil as String?])
            await refused(c, "notification_templates_subject_check", insert,
                          ["x.y", nil as UUID?, "Hi\nBcc: a@b.c", "h", "t", nil as String?])
            await refused(c, "notification_templates_sms_body_check", insert,
                          ["x.y", nil as UUID?, "s", "h", "t", String(repeating: "x", count: 1601)])
            await refused(c, "notification_templates_key_check", insert,
                          ["bad key", nil as UUID?, "s", "h", "t", nil as String?])
            await c.close()
        }
    }

    @Test func discussions() async throws {
        try await withTestDatabase("disc") { db in
            let c = try await db.connect()
            let thread = try await DiscussionFixtures.thread(c)
            let other = try await DiscussionFixtures.thread(c)
            let threadRow = try await c.query("SELECT email_thread_id FROM communication_threads WHERE id = $1", [thread])[0]
            #expect(try threadRow.decode(String.self, column: "email_thread_id").count == 32)
            await refused(c, "communication_threads_subject_check",
                          "INSERT INTO communication_threads (tenant_id, subject) VALUES ($1, $2)", [UUID(), "Hi\r\nBcc: x@y.z"])
            await refused(c, "communication_threads_email_thread_id_check",
                          "INSERT INTO communication_threads (tenant_id, email_thread_id) VALUES ($1, $2)", [UUID(), "<has brackets>"])

            let message = "INSERT INTO communication_messages (thread_id, body, source, author_email, email_message_id, parent_message_id) VALUES ($1, $2, $3, $4, $5, $6)"
            await refused(c, "communication_messages_source_check", message,
                          [thread, "hi", "sms", nil as String?, nil as String?, nil as UUID?])
            await refused(c, "communication_messages_email_author_check", message,
                          [thread, "hi", "email", nil as String?, nil as String?, nil as UUID?])
            await refused(c, "communication_messages_email_message_id_check", message,
                          [thread, "hi", "app", nil as String?, "no-brackets@example.com", nil as UUID?])
            try await c.query(message, [thread, "hi", "app", nil as String?, "<a1@mail.example.com>", nil as UUID?])
            await refused(c, "communication_messages_email_message_id_key", sqlState: "23505", message,
                          [thread, "hi", "app", nil as String?, "<a1@mail.example.com>", nil as UUID?])
            // A reply's parent must be a message of the same thread.
            let parentElsewhere = try await DiscussionFixtures.message(c, thread: other)
            await refused(c, "communication_messages_parent_fkey", sqlState: "23503", message,
                          [thread, "hi", "app", nil as String?, nil as String?, parentElsewhere])
            let parent = try await DiscussionFixtures.message(c, thread: thread)
            try await c.query(message, [thread, "reply", "email", "client@example.com", "<r1@client.example>", parent])

            let participant = "INSERT INTO communication_thread_participants (thread_id, email, recipient_type) VALUES ($1, $2, $3)"
            try await c.query(participant, [thread, "Client@Example.com", "client_contact"])
            await refused(c, "communication_thread_participants_recipient_type_check", participant, [thread, "v@example.com", "vendor"])
            await refused(c, "communication_thread_participants_thread_email_key", sqlState: "23505", participant,
                          [thread, "client@EXAMPLE.com", "external"])
            await refused(c, "communication_thread_participants_email_check", participant, [thread, "not an address", "external"])
            // The same address may take part in another thread; tokens are unguessable and unique.
            try await c.query(participant, [other, "client@example.com", "client_contact"])
            let tokens = try await c.query("SELECT reply_token FROM communication_thread_participants")
            let tokenSet = Set(try tokens.map { try $0.decode(String.self, column: "reply_token") })
            #expect(tokenSet.count == 2 && tokenSet.allSatisfy { $0.count == 32 })
            await c.close()
        }
    }

    @Test func trackingAndLinks() async throws {
        try await withTestDatabase("trk") { db in
            let c = try await db.connect()
            let thread = try await DiscussionFixtures.thread(c)
            let message = try await DiscussionFixtures.message(c, thread: thread)
            let otherThread = try await DiscussionFixtures.thread(c)
            let pixel = try await DiscussionFixtures.tracking(c, thread: thread, message: message, email: "a@example.com")
            #expect(pixel.count == 32)
            let insert = "INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, tracking_pixel_id) VALUES ($1, $2, $3, $4, $5)"
            let insertGenerated = "INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type) VALUES ($1, $2, $3, $4)"
            await refused(c, "discussion_email_tracking_recipient_type_check", insertGenerated,
                          [thread, message, "b@example.com", "vendor"])
            await refused(c, "discussion_email_tracking_message_recipient_key", sqlState: "23505", insertGenerated,
                          [thread, message, "a@example.com", "external"])
            await refused(c, "discussion_email_tracking_tracking_pixel_id_key", sqlState: "23505", insert,
                          [thread, message, "b@example.com", "external", pixel])
            await refused(c, "discussion_email_tracking_tracking_pixel_id_check", insert,
                          [thread, message, "b@example.com", "external", "short"])
            await refused(c, "discussion_email_tracking_message_fkey", sqlState: "23503", insertGenerated,
                          [otherThread, message, "b@example.com", "external"])
            for type in ["transient", "Hard", ""] {
                await refused(c, "discussion_email_tracking_bounce_type_check",
                              "UPDATE discussion_email_tracking SET bounce_type = $1, bounced_at = now() WHERE tracking_pixel_id = $2", [type, pixel])
            }
            await refused(c, "discussion_email_tracking_bounce_check",
                          "UPDATE discussion_email_tracking SET bounce_type = 'hard' WHERE tracking_pixel_id = $1", [pixel])
            await refused(c, "discussion_email_tracking_open_count_check",
                          "UPDATE discussion_email_tracking SET open_count = -1 WHERE tracking_pixel_id = $1", [pixel])
            await refused(c, "discussion_email_tracking_click_count_check",
                          "UPDATE discussion_email_tracking SET click_count = -1 WHERE tracking_pixel_id = $1", [pixel])

            let link = "INSERT INTO discussion_email_links (tracking_pixel_id, position, url) VALUES ($1, $2, $3)"
            try await c.query(link, [pixel, 0, "https://app.example.com/threads/1"])
            await refused(c, "discussion_email_links_url_check", link, [pixel, 1, "javascript:alert(1)"])
            await refused(c, "discussion_email_links_url_check", link, [pixel, 1, "//evil.example.com"])
            await refused(c, "discussion_email_links_position_check", link, [pixel, -1, "https://example.com"])
            await refused(c, "discussion_email_links_tracking_pixel_id_fkey", sqlState: "23503", link,
                          [String(repeating: "b", count: 32), 0, "https://example.com"])
            // Deleting the message deletes its tracking and links.
            try await c.query("DELETE FROM communication_messages WHERE id = $1", [message])
            let left = try await c.query("SELECT (SELECT count(*) FROM discussion_email_tracking) + (SELECT count(*) FROM discussion_email_links) AS n")
            #expect(try left[0].decode(Int.self, column: "n") == 0)
            await c.close()
        }
    }

    @Test func suppressionsAndInbound() async throws {
        try await withTestDatabase("supin") { db in
            let c = try await db.connect()
            let suppress = "INSERT INTO email_suppressions (email, reason, bounce_type) VALUES ($1, $2, $3)"
            try await c.query(suppress, ["bob@example.com", "HardBounce", "hard"])
            await refused(c, "email_suppressions_email_check", suppress, ["Bob@Example.com", "x", nil as String?])
            await refused(c, "email_suppressions_bounce_type_check", suppress, ["carol@example.com", "x", "bounced"])
            await refused(c, "email_suppressions_pkey", sqlState: "23505", suppress, ["bob@example.com", "again", nil as String?])

            let inbound = "INSERT INTO inbound_emails (provider_message_id, email_message_id, from_email, status, thread_id) VALUES ($1, $2, $3, $4, $5)"
            try await c.query(inbound, ["pm-1", "<in-1@client.example>", "client@example.com", "unmatched", nil as UUID?])
            await refused(c, "inbound_emails_status_check", inbound, ["pm-2", "<in-2@client.example>", "c@example.com", "lost", nil as UUID?])
            await refused(c, "inbound_emails_threaded_check", inbound, ["pm-3", "<in-3@client.example>", "c@example.com", "threaded", nil as UUID?])
            await refused(c, "inbound_emails_email_message_id_key", sqlState: "23505", inbound,
                          ["pm-4", "<in-1@client.example>", "c@example.com", "unmatched", nil as UUID?])
            await refused(c, "inbound_emails_provider_message_id_key", sqlState: "23505", inbound,
                          ["pm-1", "<in-5@client.example>", "c@example.com", "unmatched", nil as UUID?])
            try await c.query(inbound, ["pm-6", "<in-6@client.example>", "c@example.com", "rejected", nil as UUID?])
            let thread = try await DiscussionFixtures.thread(c)
            try await c.query(inbound, ["pm-7", "<in-7@client.example>", "c@example.com", "threaded", thread])
            let unmatched = try await c.query("SELECT provider_message_id, status FROM herald_unmatched_inbound ORDER BY provider_message_id")
            #expect(try unmatched.map { try $0.decode(String.self, column: "provider_message_id") } == ["pm-1", "pm-6"])
            let withReason = "INSERT INTO inbound_emails (provider_message_id, from_email, status, reason) VALUES ($1, 'c@example.com', 'rejected', $2)"
            try await c.query(withReason, ["pm-8", "sender_mismatch"])
            await refused(c, "inbound_emails_reason_check", withReason, ["pm-9", "lost_in_the_mail"])
            await c.close()
        }
    }
}
