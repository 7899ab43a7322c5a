import Foundation
import HeraldTestSupport
import Notifications
import Postgres
import Queue
import Synchronization
import Testing

/// docs/architecture.md "Adding a channel", done for real against PostgreSQL and a worker: a pager
/// channel defined in this file alone (its migration, routing rule, template column, send job and
/// send-state statements) and registered through `NotificationDelivery(additionalChannels:)`.
/// Nothing else in Herald knows about it.
@Suite("A channel added through the seam")
struct AdditionalChannelTests {
    /// The channel's migration: a preference column, a template column, the send state.
    static let migration = """
        ALTER TABLE notification_preferences ADD COLUMN pager_id text;
        ALTER TABLE notification_templates ADD COLUMN pager_body text;
        ALTER TABLE notifications ADD COLUMN pager_sent_at timestamptz;
        UPDATE notification_templates SET pager_body = '  PAGE {{task_title}} for {{recipient_name}}  ' WHERE key = 'task.assigned' AND tenant_id IS NULL;
        """

    /// What the stand-in provider received: (pager id, text).
    final class Pages: Sendable {
        let sent = Mutex<[(String, String)]>([])
    }

    struct PagerChannel: NotificationChannel {
        let name = "pager"
        let templateFields = [TemplateField("pager_body", .trimmedText)]
        let pages: Pages

        func route(_ input: NotificationRoutingInput) -> ChannelRoute {
            guard input.priority == .urgent else { return .notApplicable("pages only for urgent") }
            guard input.preferences["pager_id"] != nil else { return .skipped("no_pager", "no pager id") }
            return ChannelRoute(route: name, job: job("pager.send", args: PostgresJSON("{\"notification_id\":\"\(input.id.lowercasedString)\"}"),
                                                      for: input, queue: "default"),
                                explanation: "urgent: paged")
        }

        func handlers(_ context: ChannelContext) -> [any JobHandler] { [PagerService(context: context, pages: pages)] }
    }

    struct PagerService: JobHandler {
        let kind = "pager.send"
        let context: ChannelContext
        let pages: Pages

        func handle(_ job: Job, args: NotificationJobKind.NotificationArgs) async throws -> JobResult {
            guard let input = try await context.store.deliveryInput(id: args.notificationID), let stored = input.template,
                  let pager = input.preferences["pager_id"] else { return .cancel(reason: "nothing to page") }
            let sentAt = try await context.store.pool.query("SELECT pager_sent_at FROM notifications WHERE id = $1", [input.id])
            if try sentAt.first?.decode(Date?.self, column: "pager_sent_at") != nil { return .completed }
            let rendered = try context.templates.compiled(stored).render(context: input.templateContext, columns: ["pager_body"])
            pages.sent.withLock { $0.append((pager, rendered["pager_body"] ?? "")) }
            try await context.store.pool.query("UPDATE notifications SET pager_sent_at = now() WHERE id = $1 AND pager_sent_at IS NULL", [input.id])
            return .completed
        }
    }

    @Test("Routed, rendered and sent beside email: route email+pager, one page; no pager id: no_pager")
    func pagerBesideEmail() async throws {
        let pages = Pages()
        try await DeliveryHarness.run("pager", sms: false, additionalChannels: [PagerChannel(pages: pages)]) { h in
            for statement in Self.migration.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !statement.isEmpty {
                try await h.pool.query(statement)
            }
            let tenant = UUID()
            let paged = try await h.addUser(tenant: tenant, email: "ana@example.com")
            try await h.pool.query("UPDATE notification_preferences SET pager_id = 'P-7', name = 'Ana' WHERE user_id = $1", [paged])
            let unpaged = try await h.addUser(tenant: tenant, email: "bo@example.com")
            let first = try await h.notify(tenant: tenant, user: paged, priority: "urgent")
            let second = try await h.notify(tenant: tenant, user: unpaged, priority: "urgent")
            let high = try await h.notify(tenant: tenant, user: paged, priority: "high")
            try await h.withWorker {
                let done = await eventually {
                    for (column, id) in [("pager_sent_at", first), ("email_sent_at", first), ("email_sent_at", second), ("email_sent_at", high)]
                    where try await h.column(column, of: id) == nil { return false }
                    return true
                }
                #expect(done)
            }
            #expect(try await h.column("route", of: first) == "email+pager")
            #expect(try await h.column("route", of: second) == "email")
            #expect(try await h.column("skip_reason", of: second) == "no_pager")
            #expect(try await h.column("route", of: high) == "email")
            #expect(try await h.column("skip_reason", of: high) == nil)
            #expect(try await h.jobStates(kind: "pager.send") == ["completed"])
            let sent = pages.sent.withLock { $0 }
            #expect(sent.count == 1)
            #expect(sent.first?.0 == "P-7")
            #expect(sent.first?.1 == "PAGE Ship it for Ana", "the new column rendered as text and trimmed, as its field says")
        }
    }
}
