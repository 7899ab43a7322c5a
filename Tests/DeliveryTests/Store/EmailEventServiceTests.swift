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

/// Provider events for every kind of email, recorded by EmailEventService (no HTTP): the emails
/// are really sent through the strict sandbox, then Postmark's Delivery and HardBounce events for
/// each are built from what the sandbox accepted, as Postmark would send them.
@Suite("Email events for notifications, digests and discussion emails")
struct EmailEventServiceTests {
    /// Sends an urgent notification (ana@), a digest (bo@) and a discussion email (cy@) through the sandbox.
    static func sendOneOfEach(_ h: DeliveryHarness) async throws -> (notification: UUID, digest: UUID, emails: [String: SandboxEmail]) {
        let tenant = UUID()
        try await CommunicationSettingsStore(pool: h.pool).update(
            tenantId: tenant, emailIntegrationEnabled: true, emailReplyDomain: "reply.example.com",
            signature: "Kind regards,\nThe Nexus team", fromEmail: "team@nexus.example.com", fromName: "Nexus")
        let ana = try await h.addUser(tenant: tenant, email: "ana@example.com")
        let bo = try await h.addUser(tenant: tenant, email: "bo@example.com", frequency: "daily")
        let notification = try await h.notify(tenant: tenant, user: ana, priority: "urgent")
        let pending = try await DigestTests.pending(h, tenant: tenant, user: bo, at: "2026-03-28T10:00:00Z", title: "one")
        let scheduler = DigestScheduler(configuration: h.delivery.configuration, logger: DeliveryHarness.logger, now: { Date() })
        _ = try await scheduler.enqueueDuePeriods(pool: h.pool)
        try await h.withWorker {
            #expect(await eventually { try await h.liveJobs() == 0 })
        }
        let digest = try #require(try await h.pool.query("SELECT digest_id FROM notifications WHERE id = $1", [pending])[0].decode(UUID?.self, column: "digest_id"))

        let thread = try await DiscussionFixtures.thread(h.pool, tenant: tenant, subject: "Kickoff")
        try await h.pool.query(
            "INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type) VALUES ($1, 'cy@example.com', 'Cy', 'external')", [thread])
        let message = try await h.pool.query(
            "INSERT INTO communication_messages (thread_id, author_name, body) VALUES ($1, 'Staff', 'Hello Cy') RETURNING id", [thread])[0].decode(UUID.self, at: 0)
        let composer = try EmailComposer(
            configuration: .init(publicURL: "https://herald.example.com", messageIDDomain: "mail.nexus.example.com"),
            signingKey: TokenSigningKey(secret: String(repeating: "k", count: 32)))
        let fanout = DiscussionFanoutHandler(pool: h.pool, composer: composer, postmark: h.postmark, defaultFrom: "herald@example.com", logger: DeliveryHarness.logger)
        #expect(try await fanout.fanOut(messageId: message) == .completed)

        var emails: [String: SandboxEmail] = [:]
        for email in h.sandbox.receivedEmails() { emails[email.toAddresses.first ?? ""] = email }
        #expect(Set(emails.keys) == ["ana@example.com", "bo@example.com", "cy@example.com"])
        return (notification, digest, emails)
    }

    static func delivery(_ email: SandboxEmail) -> EmailEventService.Event {
        .delivery(providerMessageID: email.messageID, recipient: email.toAddresses.first, metadata: email.metadata, at: Date())
    }

    static func hardBounce(_ email: SandboxEmail, messageID: String? = nil) -> EmailEventService.Event {
        .bounce(
            providerMessageID: messageID ?? email.messageID, recipient: email.toAddresses.first, metadata: email.metadata, type: .hard,
            reason: "550 5.1.1 no such user", suppress: true, at: Date())
    }

    @Test("An urgent notification, a digest and a discussion email each get Delivery and HardBounce on their own rows; the addresses are suppressed")
    func deliveryAndHardBounceForEveryKind() async throws {
        try await DeliveryHarness.run("events_kinds", sms: false) { h in
            let (notification, digest, emails) = try await Self.sendOneOfEach(h)
            let service = EmailEventService(pool: h.pool)
            let ana = try #require(emails["ana@example.com"]), bo = try #require(emails["bo@example.com"]), cy = try #require(emails["cy@example.com"])

            #expect(try await service.record(Self.delivery(ana)) == .init(notifications: 1))
            #expect(try await service.record(Self.delivery(bo)) == .init(digests: 1))
            #expect(try await service.record(Self.delivery(cy)) == .init(trackingRows: 1))
            #expect(try await service.record(Self.hardBounce(ana)) == .init(notifications: 1, suppression: true))
            #expect(try await service.record(Self.hardBounce(bo)) == .init(digests: 1, suppression: true))
            #expect(try await service.record(Self.hardBounce(cy)) == .init(trackingRows: 1, suppression: true))

            let n = try await h.pool.query(
                "SELECT email_delivered_at IS NOT NULL AS d, email_bounce_type AS t, email_bounce_reason AS r FROM notifications WHERE id = $1", [notification])[0]
            #expect(try n.decode(Bool.self, column: "d"))
            #expect(try n.decode(String?.self, column: "t") == "hard")
            #expect(try n.decode(String?.self, column: "r") == "550 5.1.1 no such user")
            let d = try await h.pool.query("SELECT email_delivered_at IS NOT NULL AS d, email_bounce_type AS t FROM digests WHERE id = $1", [digest])[0]
            #expect(try d.decode(Bool.self, column: "d"))
            #expect(try d.decode(String?.self, column: "t") == "hard")
            // The digest's items share its MessageID but the event belongs to the digest row alone.
            #expect(try await h.pool.query("SELECT count(*) FROM notifications WHERE digest_id = $1 AND email_bounce_type IS NOT NULL", [digest])[0].decode(Int.self, at: 0) == 0)
            let t = try await h.pool.query("SELECT delivered_at IS NOT NULL AS d, bounce_type AS t FROM discussion_email_tracking WHERE recipient_email = 'cy@example.com'")[0]
            #expect(try t.decode(Bool.self, column: "d"))
            #expect(try t.decode(String?.self, column: "t") == "hard")
            let suppressed = try await SuppressionList(pool: h.pool).suppressed(among: ["ana@example.com", "bo@example.com", "cy@example.com"])
            #expect(suppressed == ["ana@example.com", "bo@example.com", "cy@example.com"])
        }
    }

    @Test("Matched by metadata when the MessageID is unknown; a soft bounce never replaces a hard one; a complaint is dated")
    func metadataFallbackAndVerdicts() async throws {
        try await DeliveryHarness.run("events_meta", sms: false) { h in
            let (notification, digest, emails) = try await Self.sendOneOfEach(h)
            let service = EmailEventService(pool: h.pool)
            let ana = try #require(emails["ana@example.com"]), bo = try #require(emails["bo@example.com"])
            #expect(ana.metadata[EmailComposer.MetadataKey.notificationID] == notification.uuidString.lowercased())
            #expect(bo.metadata[EmailComposer.MetadataKey.digestID] == digest.uuidString.lowercased())
            let unknown = "00000000-0000-4000-8000-000000000000"
            #expect(try await service.record(Self.hardBounce(ana, messageID: unknown)).notifications == 1)
            #expect(try await service.record(Self.hardBounce(bo, messageID: unknown)).digests == 1)
            let soft = EmailEventService.Event.bounce(
                providerMessageID: ana.messageID, recipient: "ana@example.com", metadata: [:], type: .soft, reason: "mailbox full", suppress: false, at: Date())
            #expect(try await service.record(soft) == .init(notifications: 1))
            #expect(try await h.column("email_bounce_type", of: notification) == "hard")
            let complaint = EmailEventService.Event.bounce(
                providerMessageID: ana.messageID, recipient: "ana@example.com", metadata: [:], type: .complaint, reason: "spam", suppress: true, at: Date())
            _ = try await service.record(complaint)
            #expect(try await h.column("email_bounce_type", of: notification) == "complaint")
            #expect(try await h.column("email_complained_at", of: notification) != nil)
            // Nothing known: nothing matched, but the address is still suppressed.
            let stray = EmailEventService.Event.bounce(
                providerMessageID: unknown, recipient: "stray@example.com", metadata: [:], type: .hard, reason: "gone", suppress: true, at: Date())
            #expect(try await service.record(stray) == .init(suppression: true))
            #expect(try await SuppressionList(pool: h.pool).isSuppressed("stray@example.com"))
        }
    }

    @Test("SubscriptionChange: SuppressSending true suppresses, false lifts Herald's suppression")
    func subscriptionChange() async throws {
        try await DeliveryHarness.run("events_sub", sms: false) { h in
            let service = EmailEventService(pool: h.pool)
            let list = SuppressionList(pool: h.pool)
            let on = try await service.record(.subscriptionChange(recipient: "Dee@Example.com", suppressSending: true, reason: "Postmark: HardBounce", bounceType: .hard))
            #expect(on.suppression == true)
            let entry = try #require(try await list.entry(for: "dee@example.com"))
            #expect(entry.bounceType == .hard && entry.source == "postmark_subscription")
            let off = try await service.record(.subscriptionChange(recipient: "dee@example.com", suppressSending: false, reason: "", bounceType: nil))
            #expect(off.suppression == false)
            #expect(try await list.isSuppressed("dee@example.com") == false)
            // Not an address: nothing happens, nothing fails.
            #expect(try await service.record(.subscriptionChange(recipient: "nope", suppressSending: true, reason: "", bounceType: nil)) == .init())
        }
    }
}
