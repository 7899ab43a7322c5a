import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Queue
import Sandbox
import Testing

/// Every routing combination through the real trigger, worker, handlers, PostgreSQL and the sandbox.
@Suite("Notification routing end to end")
struct RoutingEndToEndTests {
    struct Case: Sendable, CustomStringConvertible {
        var priority: String
        var frequency: String
        var sms: Bool
        var phone: Bool
        var description: String { "\(priority)/\(frequency)/sms \(sms ? "on" : "off")/phone \(phone ? "yes" : "no")" }

        var immediate: Bool { priority == "urgent" || priority == "high" }
        var expectsSMS: Bool { immediate && sms && phone }
        var expectedRoute: String {
            if immediate { return expectsSMS ? "email+sms" : "email" }
            return frequency == "never" ? "none" : "digest:\(frequency)"
        }
    }

    static let cases: [Case] = ["urgent", "high", "normal", "low"].flatMap { priority in
        ["never", "daily", "weekly", "monthly"].flatMap { frequency in
            [true, false].flatMap { sms in [true, false].map { phone in Case(priority: priority, frequency: frequency, sms: sms, phone: phone) } }
        }
    }

    @Test("priority × frequency × SMS on/off × phone present/absent (64 combinations)")
    func everyCombination() async throws {
        #expect(Self.cases.count == 64)
        try await DeliveryHarness.run("routing") { h in
            let tenant = UUID()
            var rows: [(Case, UUID, String, String?)] = []
            for (index, c) in Self.cases.enumerated() {
                let email = "user\(index)@example.com"
                let phone = c.phone ? "+1415555\(String(format: "%04d", index))" : nil
                let user = try await h.addUser(tenant: tenant, email: email, phone: phone, sms: c.sms, frequency: c.frequency)
                rows.append((c, try await h.notify(tenant: tenant, user: user, priority: c.priority), email, phone))
            }
            try await h.withWorker {
                let done = await eventually {
                    let routed = try await h.pool.query("SELECT count(*) FROM notifications WHERE routed_at IS NOT NULL")[0].decode(Int.self, at: 0)
                    let live = try await h.liveJobs()
                    return routed == 64 && live == 0
                }
                #expect(done)
            }
            let emails = h.sandbox.receivedEmails()
            let sms = h.sandbox.receivedSMS()
            for (c, id, email, phone) in rows {
                #expect(try await h.column("route", of: id) == c.expectedRoute, "\(c)")
                #expect((try await h.column("email_sent_at", of: id) != nil) == c.immediate, "\(c)")
                #expect((try await h.column("sms_sent_at", of: id) != nil) == c.expectsSMS, "\(c)")
                #expect(try await h.column("digest_id", of: id) == nil, "\(c)")
                #expect(emails.filter { $0.toAddresses == [email] }.count == (c.immediate ? 1 : 0), "\(c)")
                #expect(sms.filter { $0.to == phone }.count == (c.expectsSMS ? 1 : 0), "\(c)")
                if c.expectsSMS { #expect(try await h.column("sms_sid", of: id)?.hasPrefix("SM") == true, "\(c)") }
                if !c.immediate && c.frequency == "never" { #expect(try await h.column("skip_reason", of: id) == "digest_never", "\(c)") }
                if c.immediate && c.sms && !c.phone { #expect(try await h.column("skip_reason", of: id) == "no_phone", "\(c)") }
            }
            #expect(emails.count == 32)
            #expect(sms.count == 8)
            // Immediate emails carry the provider's id and a deterministic Message-ID.
            for email in emails { #expect(email.header("X-PM-KeepID") == "true") }
        }
    }

    @Test("Missing preferences or address is routed with a skip reason; SMS still goes without an address")
    func missingData() async throws {
        try await DeliveryHarness.run("routingmissing") { h in
            let tenant = UUID()
            let nobody = try await h.notify(tenant: tenant, user: UUID(), priority: "urgent")
            let noEmail = try await h.addUser(tenant: tenant, email: nil, phone: "+14155550199", sms: true)
            let smsOnly = try await h.notify(tenant: tenant, user: noEmail, priority: "high")
            let digestNoEmail = try await h.notify(tenant: tenant, user: noEmail, priority: "low")
            try await h.withWorker {
                #expect(await eventually {
                    let sent = try await h.column("sms_sent_at", of: smsOnly) != nil
                    let live = try await h.liveJobs()
                    return sent && live == 0
                })
            }
            #expect(try await h.column("route", of: nobody) == "none")
            #expect(try await h.column("skip_reason", of: nobody) == "no_preferences,no_email")
            #expect(try await h.column("route", of: smsOnly) == "sms")
            #expect(try await h.column("skip_reason", of: smsOnly) == "no_email")
            #expect(try await h.column("route", of: digestNoEmail) == "none")
            #expect(h.sandbox.receivedEmails().isEmpty)
            #expect(h.sandbox.receivedSMS().count == 1)
        }
    }

    @Test("Without Twilio configured, SMS is off and recorded as sms_not_configured")
    func smsNotConfigured() async throws {
        try await DeliveryHarness.run("routingnosms", sms: false) { h in
            let tenant = UUID()
            let user = try await h.addUser(tenant: tenant, email: "a@example.com", phone: "+14155550100", sms: true)
            let id = try await h.notify(tenant: tenant, user: user, priority: "urgent")
            try await h.withWorker {
                #expect(await eventually { try await h.column("email_sent_at", of: id) != nil })
            }
            #expect(try await h.column("route", of: id) == "email")
            #expect(try await h.column("skip_reason", of: id) == "sms_not_configured")
            #expect(h.sandbox.receivedSMS().isEmpty)
        }
    }
}
