import Foundation
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import Testing

/// sms.send through Twilio's form-encoded API on the sandbox.
@Suite("SMS notifications")
struct SMSNotificationTests {
    func handler(_ h: DeliveryHarness) -> SMSNotificationService {
        SMSNotificationService(context: h.context(), twilio: h.twilio)
    }

    func job(_ id: UUID, to: String) -> Job {
        fakeJob(kind: "sms.send", args: #"{"notification_id": "\#(id.uuidString.lowercased())", "to": "\#(to)"}"#)
    }

    @Test("Form encoding survives &, =, +, % and non-ASCII; E.164 To and sender; sid and status kept")
    func formEncodingAndE164() async throws {
        try await DeliveryHarness.run("smsform") { h in
            let tenant = UUID()
            let user = try await h.addUser(tenant: tenant, email: "p@example.com", phone: "+4915123456789", sms: true)
            let id = try await h.notify(tenant: tenant, user: user, priority: "urgent", data: #"{"task_title": "Café & Bar = 100% +1 ✓"}"#)
            #expect(try await handler(h).handle(job(id, to: "+4915123456789")) == .completed)
            let sms = try #require(h.sandbox.receivedSMS().first)
            #expect(sms.body == "Task assigned: Café & Bar = 100% +1 ✓")
            #expect(sms.to == "+4915123456789")
            #expect(sms.from == "+15005550006")
            #expect(sms.parameters["Body"] == sms.body)
            #expect(try await h.column("sms_sid", of: id) == sms.sid)
            #expect(try await h.column("sms_sent_at", of: id) != nil)
            // A retried job does not text again.
            #expect(try await handler(h).handle(job(id, to: "+4915123456789")) == .completed)
            #expect(h.sandbox.receivedSMS().count == 1)
        }
    }

    @Test("Invalid numbers are refused: by the table, by PhoneNumber, and by sms.send")
    func e164Validation() async throws {
        try await DeliveryHarness.run("smse164") { h in
            let tenant = UUID()
            for bad in ["0151 2345678", "+0123456", "4915123456789", "+49 151 abc", "+1234567890123456"] {
                await #expect(throws: PostgresError.self, "\(bad)") {
                    try await h.addUser(tenant: tenant, email: nil, phone: bad, sms: true)
                }
            }
            #expect(PhoneNumber(" +49 151 2345 6789 ")?.e164 == "+4915123456789")
            #expect(PhoneNumber("+49-151") == nil)
            let user = try await h.addUser(tenant: tenant, email: nil)
            let id = try await h.notify(tenant: tenant, user: user, priority: "urgent")
            guard case .fail = try await handler(h).handle(job(id, to: "12345")) else { Issue.record("must fail"); return }
            #expect(h.sandbox.counters().smsRequests == 0)
        }
    }

    @Test("Never for normal or low; 21610 fails and is recorded; 429 retries")
    func outcomes() async throws {
        try await DeliveryHarness.run("smsoutcomes") { h in
            let tenant = UUID()
            let user = try await h.addUser(tenant: tenant, email: nil, phone: "+14155550123", sms: true)
            let normal = try await h.notify(tenant: tenant, user: user, priority: "normal")
            guard case .fail = try await handler(h).handle(job(normal, to: "+14155550123")) else { Issue.record("normal must fail"); return }
            let low = try await h.notify(tenant: tenant, user: user, priority: "low")
            guard case .fail = try await handler(h).handle(job(low, to: "+14155550123")) else { Issue.record("low must fail"); return }
            #expect(h.sandbox.counters().smsRequests == 0)

            h.sandbox.setUnsubscribedNumber("+14155550123")
            let stop = try await h.notify(tenant: tenant, user: user, priority: "urgent")
            guard case .fail(let reason) = try await handler(h).handle(job(stop, to: "+14155550123")) else { Issue.record("21610 must fail"); return }
            #expect(reason.contains("21610"))
            #expect(try await h.column("sms_status", of: stop) == "failed")
            #expect(try await h.column("sms_sent_at", of: stop) == nil)

            let limited = try await h.notify(tenant: tenant, user: user, priority: "high")
            h.sandbox.failNext(1, endpoint: .sms, with: .status(429))
            guard case .retry = try await handler(h).handle(job(limited, to: "+14155550999")) else { Issue.record("429 must retry"); return }
            #expect(try await handler(h).handle(job(limited, to: "+14155550999")) == .completed)
        }
    }
}
