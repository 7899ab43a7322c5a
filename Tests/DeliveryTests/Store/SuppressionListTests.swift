import Foundation
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Testing

@Suite("SuppressionList")
struct SuppressionListTests {
    @Test func caseInsensitiveAddRemoveAndLookup() async throws {
        try await withTestDatabase("supp") { db in
            let pool = db.pool()
            let list = SuppressionList(pool: pool)
            #expect(try await !list.isSuppressed("bob@example.com"))
            let entry = try await list.add(" Bob@Example.COM ", reason: "550 user unknown", bounceType: .hard, source: "postmark_webhook")
            #expect(entry.email == "bob@example.com" && entry.bounceType == .hard && entry.source == "postmark_webhook")
            #expect(try await list.isSuppressed("bob@example.com"))
            #expect(try await list.isSuppressed("BOB@EXAMPLE.COM"))
            #expect(try await list.isSuppressed("  bob@example.com\n"))
            #expect(try await !list.isSuppressed("bob@example.org"))

            // Adding again replaces the reason and keeps the first date.
            let again = try await list.add("BOB@example.com", reason: "SpamComplaint", bounceType: .complaint, source: "postmark_webhook")
            #expect(again.reason == "SpamComplaint" && again.bounceType == .complaint && again.createdAt == entry.createdAt)
            #expect(try await list.entry(for: "Bob@example.com")?.reason == "SpamComplaint")

            try await list.add("carol@example.com", reason: "manual")
            let among = try await list.suppressed(among: ["CAROL@example.com", "dave@example.com", "bob@EXAMPLE.com"])
            #expect(among == ["carol@example.com", "bob@example.com"])
            #expect(try await list.suppressed(among: []).isEmpty)

            #expect(try await list.remove("BOB@EXAMPLE.COM"))
            #expect(try await !list.remove("bob@example.com"))
            #expect(try await !list.isSuppressed("bob@example.com"))
            #expect(try await list.entry(for: "bob@example.com") == nil)
            await pool.close()
        }
    }

    @Test func notAnAddressIsRefusedWithAClearError() async throws {
        try await withTestDatabase("suppbad") { db in
            let pool = db.pool()
            let list = SuppressionList(pool: pool)
            for text in ["", "no-at-sign", "two@@example.com", "@example.com", "bob@", "bo b@example.com"] {
                let error = try await #require(throws: DeliveryError.self) { try await list.add(text, reason: "x") }
                #expect(error.code == .invalidEmailAddress)
            }
            let count = try await pool.query("SELECT count(*) AS n FROM email_suppressions")
            #expect(try count[0].decode(Int.self, column: "n") == 0)
            await pool.close()
        }
    }
}
