import Foundation
import Notifications
import Postgres
import Queue
import Testing

/// The batched statements of NotificationStore: many concurrent callers, each gets its own row.
@Suite("NotificationStore batching")
struct NotificationStoreTests {
    @Test("300 concurrent reads and marks: every caller gets its own answer, missing ids give nil, marks apply once")
    func concurrentCallers() async throws {
        try await DeliveryHarness.run("storebatch") { h in
            let tenant = UUID()
            try await h.pool.query(
                """
                INSERT INTO notification_preferences (user_id, tenant_id, email)
                SELECT gen_random_uuid(), $1, 'u' || g || '@example.com' FROM generate_series(1, 300) g
                """, [tenant])
            let ids = try await h.pool.query(
                """
                INSERT INTO notifications (tenant_id, user_id, type, priority, data)
                SELECT tenant_id, user_id, 'task.assigned', 'high', jsonb_build_object('email', email) FROM notification_preferences
                RETURNING id, data->>'email' AS email
                """).map { (try $0.decode(UUID.self, column: "id"), try $0.decode(String.self, column: "email")) }
            let store = h.store
            let answers = try await withThrowingTaskGroup(of: (UUID, String?, Bool, Bool).self) { group in
                for (id, _) in ids {
                    group.addTask {
                        let input = try await store.deliveryInput(id: id)
                        let first = try await store.markEmailSent(id: id, providerMessageID: "pm-\(id.uuidString.lowercased())")
                        let second = try await store.markEmailSent(id: id, providerMessageID: "again")
                        return (id, input?.email, first, second)
                    }
                }
                group.addTask { (UUID(), try await store.deliveryInput(id: UUID())?.email, true, false) }
                var all: [(UUID, String?, Bool, Bool)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            let expected = Dictionary(uniqueKeysWithValues: ids)
            #expect(answers.count == 301)
            for (id, email, first, second) in answers {
                #expect(email == expected[id], "\(id)")
                #expect(first && !second)
            }
            let marked = try await h.pool.query(
                "SELECT count(*) FROM notifications WHERE provider_message_id = 'pm-' || id::text AND email_sent_at IS NOT NULL"
            )[0].decode(Int.self, at: 0)
            #expect(marked == 300)
        }
    }
}
