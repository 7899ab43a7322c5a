import Foundation
import Postgres

/// The demo's data: one tenant with email integration on, four users with each digest setting,
/// a discussion thread with external participants, and a mix of notifications.
struct DemoScenario {
    let tenant = UUID()
    let alice = UUID()   // urgent notifications, SMS on, daily digest
    let bob = UUID()     // weekly digest
    let carol = UUID()   // digest "never"
    let dave = UUID()    // monthly digest, no phone
    let thread = UUID()

    static let replyDomain = "reply.demo.nexusrms.test"

    /// Writes settings, preferences and the thread (not yet the messages and notifications).
    func seed(on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO communication_settings (tenant_id, email_integration_enabled, email_reply_domain, email_signature, from_email, from_name)
            VALUES ($1, true, $2, $3, 'projects@acme.demo.nexusrms.test', 'Acme Projects')
            """, [tenant, Self.replyDomain, "Acme Projects · 1 Demo Street · Sent by NexusRMS"])
        let users: [(UUID, String, String?, Bool, String, String)] = [
            (alice, "alice@acme.test", "+15005550006", true, "daily", "Europe/Berlin"),
            (bob, "bob@acme.test", nil, false, "weekly", "America/New_York"),
            (carol, "carol@acme.test", "+15005550007", false, "never", "UTC"),
            (dave, "dave@acme.test", nil, false, "monthly", "Asia/Tokyo"),
        ]
        for (id, email, phone, sms, frequency, zone) in users {
            try await connection.query("""
                INSERT INTO notification_preferences (user_id, tenant_id, email, phone, sms_enabled, digest_frequency, time_zone, digest_hour)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 8)
                """, [id, tenant, email, phone, sms, frequency, zone])
        }
        try await connection.query(
            "INSERT INTO communication_threads (id, tenant_id, subject) VALUES ($1, $2, $3)",
            [thread, tenant, "Kick-off: website redesign"])
        let participants: [(String, String, String, UUID?)] = [
            ("alice@acme.test", "Alice Martin", "freelancer", alice),
            ("erin@client.example", "Erin Client", "client_contact", nil),
            ("frank@studio.example", "Frank Freelance", "freelancer", nil),
            ("grace@bounces.example", "Grace External", "external", nil),
        ]
        for (email, name, type, user) in participants {
            try await connection.query("""
                INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type, user_id)
                VALUES ($1, $2, $3, $4, $5)
                """, [thread, email, name, type, user])
        }
    }

    /// The notifications: what each should do is the point of the demo.
    func notify(on connection: PostgresConnection) async throws {
        // Urgent and high: the producer's SQL function.
        let items: [(UUID, String, String, String)] = [
            (alice, "task.assigned", "urgent", #"{"task": "Fix the checkout <script> bug", "project": "Website"}"#),
            (carol, "invoice.overdue", "high", #"{"invoice": "INV-1042", "amount": "€1,200"}"#),
            (carol, "task.assigned", "low", #"{"task": "Update your avatar", "project": "Website"}"#),
        ]
        for (user, type, priority, data) in items {
            try await connection.query("SELECT herald_notify($1, $2, $3, $4, $5::jsonb)", [tenant, user, type, priority, PostgresJSON(data)])
        }
        // Normal and low: plain INSERTs, written days ago, so their digest period has already ended
        // and the digest scheduler sends them now.
        try await connection.query("""
            INSERT INTO notifications (tenant_id, user_id, type, priority, data, created_at) VALUES
              ($1, $2, 'task.assigned', 'normal', '{"task": "Review the style guide", "project": "Website"}', now() - interval '8 days'),
              ($1, $2, 'task.assigned', 'low', '{"task": "Rename the staging bucket", "project": "Website"}', now() - interval '9 days'),
              ($1, $3, 'task.assigned', 'low', '{"task": "Archive old drafts", "project": "Website"}', now() - interval '40 days')
            """, [tenant, bob, dave])
    }

    /// Alice posts in the thread from the app; the trigger enqueues the fan-out.
    func postMessage(on connection: PostgresConnection) async throws -> UUID {
        try await connection.query("""
            INSERT INTO communication_messages (thread_id, author_user_id, author_email, author_name, body, source)
            VALUES ($1, $2, 'alice@acme.test', 'Alice Martin', $3, 'app') RETURNING id
            """, [thread, alice, "Hi all — the kick-off notes are at https://docs.acme.test/kickoff?ref=mail . Questions welcome!"]
        )[0].decode(UUID.self, at: 0)
    }

    /// What happened, as text.
    func report(pool: PostgresPool) async throws -> String {
        var out = "\n== Notifications: channel and why\n"
        let names = [alice: "alice", bob: "bob", carol: "carol", dave: "dave"]
        for row in try await pool.query("""
            SELECT n.user_id, n.type, n.priority, coalesce(n.route, '-') AS route, n.skip_reason,
                   n.email_sent_at IS NOT NULL AS emailed, n.sms_sent_at IS NOT NULL AS texted, n.sms_status,
                   p.digest_frequency
              FROM notifications n JOIN notification_preferences p USING (user_id)
             WHERE n.tenant_id = $1 ORDER BY n.created_at
            """, [tenant]) {
            let user = names[try row.decode(UUID.self, column: "user_id")] ?? "?"
            let priority = try row.decode(String.self, column: "priority")
            let frequency = try row.decode(String.self, column: "digest_frequency")
            var line = "  \(priority.padding(toLength: 7, withPad: " ", startingAt: 0)) \(try row.decode(String.self, column: "type").padding(toLength: 16, withPad: " ", startingAt: 0)) → \(user) (digest \(frequency)): route \(try row.decode(String.self, column: "route"))"
            if try row.decode(Bool.self, column: "emailed") { line += ", email sent" }
            if try row.decode(Bool.self, column: "texted") { line += ", SMS sent" }
            if let status = try row.decode(String?.self, column: "sms_status") { line += " (SMS \(status))" }
            if let reason = try row.decode(String?.self, column: "skip_reason") { line += " — \(reason)" }
            out += line + "\n"
        }
        out += "\n== Digests\n"
        for row in try await pool.query("""
            SELECT d.user_id, d.period_key, d.notification_count, d.email_sent_at IS NOT NULL AS sent
              FROM digests d WHERE d.tenant_id = $1 ORDER BY d.period_key
            """, [tenant]) {
            let user = names[try row.decode(UUID.self, column: "user_id")] ?? "?"
            out += "  \(user): \(try row.decode(String.self, column: "period_key")), \(try row.decode(Int.self, column: "notification_count")) item(s), \(try row.decode(Bool.self, column: "sent") ? "emailed" : "not sent")\n"
        }
        out += "\n== Thread \"Kick-off: website redesign\"\n"
        for row in try await pool.query("""
            SELECT coalesce(author_name, author_email, '?') AS author, source, body, email_message_id, email_in_reply_to
              FROM communication_messages WHERE thread_id = $1 ORDER BY created_at
            """, [thread]) {
            out += "  [\(try row.decode(String.self, column: "source"))] \(try row.decode(String.self, column: "author")): \(try row.decode(String.self, column: "body"))\n"
            out += "      Message-ID \(try row.decode(String?.self, column: "email_message_id") ?? "-")"
            if let parent = try row.decode(String?.self, column: "email_in_reply_to") { out += ", In-Reply-To \(parent)" }
            out += "\n"
        }
        let held = try await pool.query(
            "SELECT from_email, coalesce(claimed_email, '-') AS claimed, reason, preview FROM herald_unmatched_inbound WHERE thread_id = $1", [thread])
        if !held.isEmpty {
            out += "\n== Replies kept, not threaded (herald_unmatched_inbound)\n"
            for row in held {
                out += "  \(try row.decode(String?.self, column: "reason") ?? "-"): from \(try row.decode(String.self, column: "from_email")) "
                out += "via the reply address of \(try row.decode(String.self, column: "claimed")): \(try row.decode(String.self, column: "preview"))\n"
            }
        }
        out += "\n== Tracking per recipient\n"
        for row in try await pool.query("""
            SELECT recipient_email, recipient_type, sent_at IS NOT NULL AS sent, delivered_at IS NOT NULL AS delivered,
                   open_count, click_count, bounce_type, bounce_reason
              FROM discussion_email_tracking WHERE thread_id = $1 ORDER BY recipient_email, sent_at
            """, [thread]) {
            var line = "  \(try row.decode(String.self, column: "recipient_email")) (\(try row.decode(String.self, column: "recipient_type"))):"
            line += try row.decode(Bool.self, column: "delivered") ? " delivered" : (try row.decode(Bool.self, column: "sent") ? " sent" : " not sent")
            line += ", opens \(try row.decode(Int.self, column: "open_count")), clicks \(try row.decode(Int.self, column: "click_count"))"
            if let bounce = try row.decode(String?.self, column: "bounce_type") {
                line += ", bounced (\(bounce): \(try row.decode(String?.self, column: "bounce_reason") ?? ""))"
            }
            out += line + "\n"
        }
        let stats = try await pool.query("SELECT * FROM herald_tracking_stats_for_thread($1)", [thread])
        if let row = stats.first {
            out += "\n== Thread stats (getStatsForThread)\n  "
            out += row.columns.enumerated().map { index, name in "\(name) \(row.text(at: index) ?? "-")" }.joined(separator: ", ")
            out += "\n"
        }
        return out
    }
}
