import Discussions
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Notifications
import Postgres
import Queue
import Sandbox
import Testing

/// Every kind of email Herald sends — each shipped notification template, a digest, a discussion
/// fan-out and a relayed reply — composed with long and non-ASCII values at every limit, sent
/// through the strict sandbox (docs/providers.md), which must accept each.
@Suite("Every kind of email, at every limit, accepted by the strict sandbox")
struct AllEmailKindsTests {
    /// 1,200 characters of mixed scripts, emoji (with a flag and a family), combining marks and
    /// right-to-left text: subjects built from it exceed 998 and must be cut on a character boundary.
    static let long: String = {
        let piece = "Çà et là — 東京の会議 🇫🇷 👨‍👩‍👧 e\u{301}te\u{301} שלום עליכם, "
        var text = ""
        while text.count < 1200 { text += piece }
        return String(text.prefix(1200))
    }()

    /// A signature at its limit (2,000 characters), non-ASCII.
    static let signature = String(repeating: "Ünïcødé signature line — 🚀\n", count: 80).prefix(2000).description

    @Test("Each template, a digest, a fan-out and a relayed reply: all accepted, each with its headers")
    func everyKind() async throws {
        try await DeliveryHarness.run("all_kinds", sms: false) { h in
            let tenant = UUID()
            try await CommunicationSettingsStore(pool: h.pool).update(
                tenantId: tenant, emailIntegrationEnabled: true, emailReplyDomain: "reply.example.com",
                signature: Self.signature, fromEmail: "team@nexus.example.com", fromName: "Nexus — Équipe \"Support\" 🛠")
            let ana = try await h.addUser(tenant: tenant, email: "ana@example.com")
            try await h.pool.query("UPDATE notification_preferences SET name = 'Ana Lima-Øster' WHERE user_id = $1", [ana])
            let bo = try await h.addUser(tenant: tenant, email: "bo@example.com", frequency: "daily")
            try await h.pool.query("UPDATE notification_preferences SET name = 'Bo Ærø' WHERE user_id = $1", [bo])

            let dataJSON = String(decoding: try JSONSerialization.data(withJSONObject: [
                "task_title": Self.long, "assigned_by": "Zoë Ångström", "due_date": "2026-12-24", "url": "https://app.example.com/t/42?x=é",
                "invoice_number": "INV-" + String(repeating: "9", count: 100), "amount": "€1 200,00", "days_overdue": 28,
                "author_name": "Małgorzata", "thread_subject": Self.long, "excerpt": Self.long,
            ]), as: UTF8.self)
            // Each shipped template, and the `default` one through a type of the longest allowed name (128).
            let longType = "custom." + String(repeating: "x", count: 121)
            var notifications: [UUID] = []
            for type in ["task.assigned", "invoice.overdue", "message.posted", longType] {
                notifications.append(try await h.notify(tenant: tenant, user: ana, type: type, priority: "urgent", data: dataJSON))
            }
            for index in 0..<3 {
                try await h.pool.query(
                    """
                    INSERT INTO notifications (tenant_id, user_id, type, priority, data, created_at, routed_at, route)
                    VALUES ($1, $2, 'task.assigned', 'normal', $3::jsonb, '2026-03-28T10:00:00Z'::timestamptz + make_interval(mins => $4::int), now(), 'digest:daily')
                    """, [tenant, bo, dataJSON, index])
            }
            let scheduler = DigestScheduler(configuration: h.delivery.configuration, logger: DeliveryHarness.logger, now: { Date() })
            _ = try await scheduler.enqueueDuePeriods(pool: h.pool)
            try await h.withWorker {
                #expect(await eventually { try await h.liveJobs() == 0 })
            }
            for id in notifications {
                let reason = try await h.column("skip_reason", of: id) ?? ""
                #expect(try await h.column("email_sent_at", of: id) != nil, "notification \(id) was refused: \(reason)")
            }

            // A discussion message and a relayed reply (an inbound reply is a message with source 'email'),
            // in a thread whose subject is at its column's limit (998 code points, more UTF-16 units).
            let thread = try await h.pool.query(
                "INSERT INTO communication_threads (tenant_id, subject) VALUES ($1, $2) RETURNING id", [tenant, String(String.UnicodeScalarView(Self.long.unicodeScalars.prefix(998)))])[0].decode(UUID.self, at: 0)
            try await h.pool.query(
                """
                INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type) VALUES
                  ($1, 'cy@example.com', 'Cy « Ōtsuka »', 'external'), ($1, 'dee@example.com', 'Dee, the "client"', 'client_contact')
                """, [thread])
            let first = try await h.pool.query(
                "INSERT INTO communication_messages (thread_id, author_name, body) VALUES ($1, 'Ana', $2) RETURNING id", [thread, Self.long + " https://nexus.example.com/p/1"])[0].decode(UUID.self, at: 0)
            let reply = try await h.pool.query(
                """
                INSERT INTO communication_messages (thread_id, author_name, author_email, body, parent_message_id, source)
                VALUES ($1, 'Cy « Ōtsuka »', 'cy@example.com', $2, $3, 'email') RETURNING id
                """, [thread, "Réponse: " + Self.long, first])[0].decode(UUID.self, at: 0)
            let composer = try EmailComposer(
                configuration: .init(publicURL: "https://herald.example.com", messageIDDomain: "mail.nexus.example.com", messageIDPerRecipient: false),
                signingKey: DeliveryHarness.unsubscribeKey)
            let fanout = DiscussionFanoutHandler(pool: h.pool, composer: composer, postmark: h.postmark, defaultFrom: "herald@example.com", logger: DeliveryHarness.logger)
            #expect(try await fanout.fanOut(messageId: first) == .completed)
            #expect(try await fanout.fanOut(messageId: reply) == .completed)

            let emails = h.sandbox.receivedEmails()
            let byTag = Dictionary(grouping: emails, by: { $0.tag ?? "" })
            #expect(byTag["notification"]?.count == 4)
            #expect(byTag["digest"]?.count == 1)
            #expect(byTag["discussion"]?.count == 3)  // two participants, then the reply to the one who did not write it
            #expect(try await h.pool.query("SELECT count(*) FROM herald_jobs WHERE state = 'failed'")[0].decode(Int.self, at: 0) == 0)

            for email in emails {
                #expect(email.header("X-Auto-Response-Suppress") == "OOF, AutoReply", "\(email.subject)")
                #expect(email.header("X-PM-KeepID") == "true")
                #expect(email.subject.utf16.count <= 998)
                #expect(email.metadata.count <= 10 && email.metadata.allSatisfy { $0.key.count <= 20 && $0.value.utf16.count <= 80 })
                for body in [email.textBody, email.htmlBody].compactMap({ $0 }) {
                    #expect(!body.contains("Hello ,") && !body.contains("{{"), "\(email.subject)")
                }
            }
            for email in (byTag["notification"] ?? []) + (byTag["digest"] ?? []) {
                #expect(email.header("Auto-Submitted") == "auto-generated")
            }
            for email in byTag["discussion"] ?? [] {
                #expect(email.header("Auto-Submitted") == nil)
                #expect(email.replyTo?.hasPrefix("reply+") == true)
            }
            let greeted = byTag["notification"]?.filter { $0.textBody?.hasPrefix("Hello Ana Lima-Øster,") == true }.count
            #expect(greeted == 3)  // every template but message.posted greets
            let digest = try #require(byTag["digest"]?.first)
            #expect(digest.textBody?.hasPrefix("Hello Bo Ærø,") == true)
            let unsubscribe = try #require(digest.header("List-Unsubscribe"))
            #expect(unsubscribe.hasPrefix("<https://herald.example.com/u/") && unsubscribe.hasSuffix(">"))
            let token = String(unsubscribe.dropFirst("<https://herald.example.com/u/".count).dropLast())
            #expect(try UnsubscribeToken.verify(token, key: DeliveryHarness.unsubscribeKey).userID == bo)
            #expect(digest.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            let longTypeEmail = try #require(byTag["notification"]?.first { $0.subject.hasPrefix("New notification") })
            #expect(longTypeEmail.metadata[EmailComposer.MetadataKey.notificationType] == String(longType.prefix(80)))
        }
    }

    @Test("Every shipped template names only variables the renderer supplies, or guards them with a section")
    func shippedTemplatesHaveNoEmptyVariables() async throws {
        try await DeliveryHarness.run("all_kinds_templates", sms: false) { h in
            let rows = try await h.pool.query("SELECT key, subject, html_body, text_body, coalesce(sms_body, '') AS sms FROM notification_templates WHERE tenant_id IS NULL")
            #expect(rows.count == 5)
            // What the renderer supplies besides `data` (NotificationDeliveryInput.templateContext, DigestBuilder).
            let supplied: Set<String> = ["type", "priority", "notification_id", "recipient_email", "recipient_name"]
            let digestSupplied: Set<String> = ["period_label", "count", "items", "recipient_email", "recipient_name", "subject", "text", "url", "created_at", "priority"]
            // Realistic `data` of each shipped type, as the README's examples produce it.
            let data: [String: Set<String>] = [
                "task.assigned": ["task_title", "assigned_by", "due_date", "url"],
                "invoice.overdue": ["invoice_number", "amount", "due_date", "days_overdue", "url"],
                "message.posted": ["author_name", "thread_subject", "excerpt", "url"],
                "default": ["url"],
            ]
            let variable = /\{\{\{?\s*([#^\/]?)\s*([A-Za-z0-9_.]+)\s*\}?\}\}/
            for row in rows {
                let key = try row.decode(String.self, column: "key")
                let available = key == "digest" ? digestSupplied : supplied.union(data[key] ?? [])
                for column in ["subject", "html_body", "text_body", "sms"] {
                    let text = try row.decode(String.self, column: column)
                    var open: [String] = []
                    for match in text.matches(of: variable) {
                        let (sigil, name) = (String(match.output.1), String(match.output.2))
                        switch sigil {
                        case "#", "^": open.append(name)
                        case "/": if let index = open.lastIndex(of: name) { open.remove(at: index) }
                        default:
                            // A variable inside its own section renders only when it is there.
                            #expect(available.contains(name) || open.contains(name), "template '\(key)' \(column) uses {{\(name)}}, which nothing supplies")
                        }
                    }
                }
            }
        }
    }
}
