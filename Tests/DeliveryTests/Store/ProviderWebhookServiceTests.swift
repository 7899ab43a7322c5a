import Discussions
import Foundation
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Providers
import Testing

/// The services behind `POST /webhooks/postmark` and `POST /webhooks/twilio/status`, called
/// directly against a real database (no HTTP).
@Suite("Provider webhook services")
struct ProviderWebhookServiceTests {
    /// A sent discussion email to `recipient`, accepted by Postmark as `providerMessageId`; returns its pixel.
    static func sentEmail(_ pool: PostgresPool, recipient: String, providerMessageId: String) async throws -> String {
        let thread = try await DiscussionFixtures.thread(pool)
        let message = try await DiscussionFixtures.message(pool, thread: thread)
        let pixel = try await DiscussionFixtures.tracking(pool, thread: thread, message: message, email: recipient, sentAt: StoreFixtures.date(0))
        try await DiscussionEmailTrackingStore(pool: pool).recordSent(trackingPixelId: pixel, providerMessageId: providerMessageId, emailMessageId: nil)
        return pixel
    }

    static func event(_ object: [String: Any]) throws -> PostmarkWebhookEvent {
        try PostmarkWebhookEvent(json: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    @Test func aHardBounceMarksTheRowAndSuppressesTheAddress() async throws {
        try await withTestDatabase("svc_pm_bounce") { db in
            let pool = db.pool()
            let pixel = try await Self.sentEmail(pool, recipient: "Gone@Example.com", providerMessageId: "pm-hard")
            let service = EmailEventService(pool: pool)
            let outcome = try await service.record(try Self.event([
                "RecordType": "Bounce", "Type": "HardBounce", "MessageID": "pm-hard", "Email": "gone@example.com",
                "Description": "The server was unable to deliver", "Details": "550 5.1.1 unknown user", "BouncedAt": "2026-12-01T08:00:00Z",
            ]))
            #expect(outcome == .recorded(matched: 1))
            let row = try #require(try await DiscussionEmailTrackingStore(pool: pool).findByTrackingPixel(pixel))
            #expect(row.bounceType == .hard)
            #expect(row.bounceReason == "The server was unable to deliver — 550 5.1.1 unknown user")
            #expect(row.bouncedAt == Date(timeIntervalSince1970: 1_796_112_000))
            let entry = try #require(try await SuppressionList(pool: pool).entry(for: "gone@example.com"))
            #expect(entry.bounceType == .hard && entry.source == "postmark_webhook")

            // A soft bounce of another email matches it and suppresses nothing.
            _ = try await Self.sentEmail(pool, recipient: "full@example.com", providerMessageId: "pm-soft")
            #expect(try await service.record(try Self.event(["RecordType": "Bounce", "Type": "SoftBounce", "MessageID": "pm-soft", "Email": "full@example.com"]))
                == .recorded(matched: 1))
            #expect(try await SuppressionList(pool: pool).isSuppressed("full@example.com") == false)
        }
    }

    @Test func anUnknownMessageChangesNoRowButAHardBounceStillSuppresses() async throws {
        try await withTestDatabase("svc_pm_unknown") { db in
            let pool = db.pool()
            let pixel = try await Self.sentEmail(pool, recipient: "a@example.com", providerMessageId: "pm-known")
            let service = EmailEventService(pool: pool)
            #expect(try await service.record(try Self.event(["RecordType": "Delivery", "MessageID": "pm-other", "Recipient": "a@example.com"]))
                == .unknownMessage)
            #expect(try await service.record(try Self.event(["RecordType": "Bounce", "Type": "HardBounce", "MessageID": "pm-other", "Email": "b@example.com"]))
                == .unknownMessage)
            #expect(try await SuppressionList(pool: pool).isSuppressed("b@example.com"))
            let row = try #require(try await DiscussionEmailTrackingStore(pool: pool).findByTrackingPixel(pixel))
            #expect(row.deliveredAt == nil && row.bouncedAt == nil)
            #expect(try await service.record(try Self.event(["RecordType": "Open", "MessageID": "pm-other"])) == .unknownMessage)
            #expect(try await service.record(try Self.event(["RecordType": "Inbound"])) == .ignored)
        }
    }

    @Test func opensAndClicksCountByMessageIDElseByTheMetadataPixel() async throws {
        try await withTestDatabase("svc_pm_open") { db in
            let pool = db.pool()
            let byID = try await Self.sentEmail(pool, recipient: "a@example.com", providerMessageId: "pm-open")
            let byPixel = try await Self.sentEmail(pool, recipient: "b@example.com", providerMessageId: "pm-unrelated")
            let service = EmailEventService(pool: pool)
            #expect(try await service.record(try Self.event(["RecordType": "Open", "MessageID": "pm-open", "Recipient": "A@example.com",
                                                             "UserAgent": "Mail", "Geo": ["IP": "203.0.113.7"]])) == .recorded(matched: 1))
            // Another recipient of the same MessageID does not count for this one.
            #expect(try await service.record(try Self.event(["RecordType": "Click", "MessageID": "pm-open", "Recipient": "c@example.com"]))
                == .unknownMessage)
            #expect(try await service.record(try Self.event([
                "RecordType": "Click", "Metadata": [EmailComposer.MetadataKey.trackingPixelID: byPixel],
            ])) == .recorded(matched: 1))
            let store = DiscussionEmailTrackingStore(pool: pool)
            let opened = try #require(try await store.findByTrackingPixel(byID))
            #expect(opened.openCount == 1 && opened.clickCount == 0 && opened.userAgent == "Mail" && opened.ipAddress?.hasPrefix("203.0.113.7") == true)
            #expect(try await store.findByTrackingPixel(byPixel)?.clickCount == 1)
        }
    }

    @Test func subscriptionChangesFollowPostmarkAndIncompleteOnesChangeNothing() async throws {
        try await withTestDatabase("svc_pm_subscription") { db in
            let pool = db.pool()
            let service = EmailEventService(pool: pool)
            #expect(try await service.record(try Self.event(["RecordType": "SubscriptionChange", "Recipient": "x@example.com"]))
                == .incomplete(reason: "a SubscriptionChange needs Recipient and SuppressSending"))
            #expect(try await SuppressionList(pool: pool).isSuppressed("x@example.com") == false)
            #expect(try await service.record(try Self.event([
                "RecordType": "SubscriptionChange", "Recipient": "x@example.com", "SuppressSending": true, "SuppressionReason": "ManualSuppression",
            ])) == .subscriptionChanged(suppressed: true))
            let entry = try #require(try await SuppressionList(pool: pool).entry(for: "x@example.com"))
            #expect(entry.reason == "Postmark: ManualSuppression" && entry.bounceType == nil && entry.source == "postmark_subscription")
            #expect(try await service.record(try Self.event(["RecordType": "SubscriptionChange", "Recipient": "x@example.com", "SuppressSending": false]))
                == .subscriptionChanged(suppressed: false))
            #expect(try await SuppressionList(pool: pool).isSuppressed("x@example.com") == false)
        }
    }

    static func smsNotification(_ pool: PostgresPool, sid: String, status: String = "sent") async throws -> UUID {
        try await pool.query(
            """
            INSERT INTO notifications (tenant_id, user_id, type, priority, sms_sid, sms_status)
            VALUES (gen_random_uuid(), gen_random_uuid(), 'task.assigned', 'urgent', $1, $2) RETURNING id
            """, [sid, status])[0].decode(UUID.self, at: 0)
    }

    static func sms(_ pool: PostgresPool, _ id: UUID) async throws -> (status: String?, error: String?) {
        let row = try await pool.query("SELECT sms_status, sms_error FROM notifications WHERE id = $1", [id])[0]
        return (try row.decode(String?.self, column: "sms_status"), try row.decode(String?.self, column: "sms_error"))
    }

    @Test func anUnknownTwilioSIDChangesNothing() async throws {
        try await withTestDatabase("svc_sms_unknown") { db in
            let pool = db.pool()
            let id = try await Self.smsNotification(pool, sid: "SMknown")
            #expect(try await SMSStatusService(pool: pool).record(TwilioStatusUpdate(messageSID: "SMunknown", status: "failed", error: "30003")) == false)
            let after = try await Self.sms(pool, id)
            #expect(after.status == "sent" && after.error == nil)
        }
    }

    @Test func aFinalStatusIsNotOverwrittenByALateOneAndTheErrorStays() async throws {
        try await withTestDatabase("svc_sms_order") { db in
            let pool = db.pool()
            let id = try await Self.smsNotification(pool, sid: "SM1")
            let service = SMSStatusService(pool: pool)
            #expect(try await service.record(TwilioStatusUpdate(messageSID: "SM1", status: "undelivered", error: "30003 Unreachable")))
            #expect(try await service.record(TwilioStatusUpdate(messageSID: "SM1", status: "sent")))
            var after = try await Self.sms(pool, id)
            #expect(after.status == "undelivered" && after.error == "30003 Unreachable")
            // A final status may follow a final one (Twilio: undelivered, then delivered after a retry).
            #expect(try await service.record(TwilioStatusUpdate(messageSID: "SM1", status: "delivered")))
            after = try await Self.sms(pool, id)
            #expect(after.status == "delivered" && after.error == "30003 Unreachable")
        }
    }
}
