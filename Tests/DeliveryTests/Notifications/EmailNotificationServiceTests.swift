import Foundation
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import Synchronization
import Testing

/// EmailNotificationService against PostgreSQL and the sandbox Postmark over HTTP.
@Suite("EmailNotificationService")
struct EmailNotificationServiceTests {
    @Test("Tenant override first, HTML escaped, text verbatim, signature of exactly 2,000 characters appended")
    func templateOverrideEscapingSignature() async throws {
        try await DeliveryHarness.run("emailtemplate") { h in
            let (tenantA, tenantB) = (UUID(), UUID())
            let exact = String(repeating: "x", count: 2_000 - 8) + "\nAcme Co"
            #expect(exact.unicodeScalars.count == 2_000)
            try await CommunicationSettingsStore(pool: h.pool).update(
                tenantId: tenantA, signature: exact, fromEmail: "alerts@acme.example", fromName: "Acme")
            try await h.pool.query(
                """
                INSERT INTO notification_templates (key, tenant_id, subject, html_body, text_body, sms_body)
                VALUES ('task.assigned', $1, 'Acme: {{task_title}}', '<h1>Acme</h1><p>{{task_title}}</p>', 'Acme task: {{task_title}}', NULL)
                """, [tenantA])
            let userA = try await h.addUser(tenant: tenantA, email: "a@example.com")
            let userB = try await h.addUser(tenant: tenantB, email: "b@example.com")
            let data = #"{"task_title": "<script>alert(1)</script> & Co", "assigned_by": "Ann"}"#
            let a = try await h.notify(tenant: tenantA, user: userA, priority: "urgent", data: data)
            let b = try await h.notify(tenant: tenantB, user: userB, priority: "urgent", data: data)
            let service = h.emailService()
            #expect(try await service.send(notificationID: a) == .completed)
            #expect(try await service.send(notificationID: b) == .completed)

            let emails = h.sandbox.receivedEmails()
            let emailA = try #require(emails.first { $0.toAddresses == ["a@example.com"] })
            let emailB = try #require(emails.first { $0.toAddresses == ["b@example.com"] })
            // Tenant A: its override, its sender, its signature.
            #expect(emailA.subject == "Acme: <script>alert(1)</script> & Co")
            #expect(emailA.from == "\"Acme\" <alerts@acme.example>")
            let htmlA = try #require(emailA.htmlBody)
            #expect(htmlA.hasPrefix("<h1>Acme</h1><p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</p>"))
            #expect(!htmlA.contains("<script>"))
            #expect(htmlA.contains("herald-signature") && htmlA.contains("Acme Co"))
            let textA = try #require(emailA.textBody)
            #expect(textA.hasPrefix("Acme task: <script>alert(1)</script> & Co"))
            #expect(textA.hasSuffix("-- \n" + exact))
            // Tenant B: the default template, no signature, the default sender.
            #expect(emailB.subject == "New task: <script>alert(1)</script> & Co")
            #expect(emailB.htmlBody?.contains("Acme") == false)
            #expect(emailB.htmlBody?.contains("herald-signature") == false)
            #expect(emailB.from == "\"Herald\" <notifications@herald.localhost>")
            // Bookkeeping.
            #expect(try await h.column("provider_message_id", of: a) == emailA.messageID)
            #expect(try await h.column("email_sent_at", of: b) != nil)
        }
    }

    @Test("A signature of 2,001 characters is refused by the store and by the table, never cut")
    func signatureTooLong() async throws {
        try await DeliveryHarness.run("emailsig") { h in
            let tenant = UUID()
            let tooLong = String(repeating: "y", count: 2_001)
            await #expect(throws: DeliveryError.self) {
                try await CommunicationSettingsStore(pool: h.pool).update(tenantId: tenant, signature: tooLong)
            }
            await #expect(throws: PostgresError.self) {
                try await h.pool.query("INSERT INTO communication_settings (tenant_id, email_signature) VALUES ($1, $2)", [tenant, tooLong])
            }
            #expect(throws: DeliveryError.self) { try EmailSignature(tooLong) }
            let stored = try await CommunicationSettingsStore(pool: h.pool).settings(tenantId: tenant)
            #expect(stored == nil)
        }
    }

    @Test("Provider errors: 429 and 500 retry, 406 fails and suppresses, 300 fails")
    func errorClasses() async throws {
        try await DeliveryHarness.run("emailerrors") { h in
            let tenant = UUID()
            let service = h.emailService()
            func fresh(_ email: String) async throws -> UUID {
                try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: email), priority: "urgent")
            }
            // 429 → retry, and the retry sends.
            let rateLimited = try await fresh("r@example.com")
            h.sandbox.failNext(1, endpoint: .email, with: .status(429))
            guard case .retry = try await service.send(notificationID: rateLimited) else { Issue.record("429 must retry"); return }
            #expect(try await h.column("email_sent_at", of: rateLimited) == nil)
            #expect(try await service.send(notificationID: rateLimited) == .completed)
            #expect(try await h.column("email_sent_at", of: rateLimited) != nil)
            // 500 → retry.
            let serverError = try await fresh("s@example.com")
            h.sandbox.failNext(1, endpoint: .email, with: .status(500))
            guard case .retry = try await service.send(notificationID: serverError) else { Issue.record("500 must retry"); return }
            // 406 → fail + suppression.
            let inactive = try await fresh("Gone@Example.com")
            h.sandbox.setInactiveRecipient("gone@example.com")
            guard case .fail(let reason) = try await service.send(notificationID: inactive) else { Issue.record("406 must fail"); return }
            #expect(reason.contains("406"))
            #expect(try await SuppressionList(pool: h.pool).isSuppressed("gone@example.com"))
            #expect(try await h.column("skip_reason", of: inactive) == "email_refused")
            // 300 (HTTP 422) → fail, no suppression.
            let invalid = try await fresh("i@example.com")
            h.sandbox.failNext(1, endpoint: .email, with: .status(422))
            guard case .fail(let invalidReason) = try await service.send(notificationID: invalid) else { Issue.record("300 must fail"); return }
            #expect(invalidReason.contains("300"))
            #expect(try await SuppressionList(pool: h.pool).isSuppressed("i@example.com") == false)
            // The single mapping.
            #expect(ProviderOutcomeResolver.jobResult(for: .success) == .completed)
            #expect(ProviderOutcomeResolver.jobResult(for: .permanent(reason: "x", suppressAddress: true)) == .fail(reason: "x"))
            #expect(ProviderOutcomeResolver.jobResult(for: .retryable(reason: "y", alertOperator: false)) == .retry(reason: "y"))
        }
    }

    @Test("Job states through the worker: 406 → failed and suppressed, 500 → retryable")
    func jobStatesThroughWorker() async throws {
        try await DeliveryHarness.run("emailstates", sms: false) { h in
            let tenant = UUID()
            h.sandbox.setInactiveRecipient("bounced@example.com")
            let bounced = try await h.notify(
                tenant: tenant, user: try await h.addUser(tenant: tenant, email: "bounced@example.com"), priority: "urgent")
            try await h.withWorker {
                #expect(await eventually { try await h.jobStates(kind: "email.send") == ["failed"] })
            }
            #expect(try await SuppressionList(pool: h.pool).isSuppressed("bounced@example.com"))
            #expect(try await h.column("email_sent_at", of: bounced) == nil)
            h.sandbox.failNext(1, endpoint: .email, with: .status(500))
            let flaky = try await h.notify(
                tenant: tenant, user: try await h.addUser(tenant: tenant, email: "flaky@example.com"), priority: "high")
            try await h.withWorker {
                #expect(await eventually { try await h.jobStates(kind: "email.send").last == "retryable" })
            }
            #expect(try await h.column("email_sent_at", of: flaky) == nil)
        }
    }

    @Test("A suppressed address is never sent to: no request reaches Postmark")
    func suppressedNeverSent() async throws {
        try await DeliveryHarness.run("emailsuppressed", sms: false) { h in
            let tenant = UUID()
            try await SuppressionList(pool: h.pool).add("blocked@example.com", reason: "hard bounce", bounceType: .hard)
            let user = try await h.addUser(tenant: tenant, email: "BLOCKED@example.com", frequency: "daily")
            let id = try await h.notify(tenant: tenant, user: user, priority: "urgent")
            try await h.withWorker {
                #expect(await eventually { try await h.jobStates(kind: "email.send") == ["cancelled"] })
            }
            #expect(h.sandbox.counters().emailRequests == 0)
            #expect(try await h.column("email_sent_at", of: id) == nil)
            #expect(try await h.column("skip_reason", of: id) == "suppressed")
        }
    }

    @Test("A retried job never sends twice an email already accepted")
    func noDoubleSendOnRetry() async throws {
        try await DeliveryHarness.run("emailretry") { h in
            let tenant = UUID()
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "once@example.com"), priority: "urgent")
            let service = h.emailService()
            let job = fakeJob(kind: "email.send", args: #"{"notification_id": "\#(id.uuidString.lowercased())"}"#)
            #expect(try await service.handle(job) == .completed)
            #expect(try await service.handle(fakeJob(kind: "email.send", args: job.args.text, attempt: 2)) == .completed)
            #expect(try await service.handle(fakeJob(kind: "email.send", args: job.args.text, attempt: 3)) == .completed)
            #expect(h.sandbox.counters().emailRequests == 1)
        }
    }

    @Test("Interrupted between acceptance and bookkeeping: at most one duplicate, with the same Message-ID")
    func duplicateBoundAfterInterruption() async throws {
        try await DeliveryHarness.run("emailcrash") { h in
            let tenant = UUID()
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "crash@example.com"), priority: "urgent")
            struct Crash: Error {}
            let crashes = Mutex(1)
            let service = h.emailService(afterAcceptance: { _ in
                if crashes.withLock({ count in defer { count -= 1 }; return count > 0 }) { throw Crash() }
            })
            // Attempt 1: Postmark accepts, then the worker "dies" before email_sent_at is written.
            await #expect(throws: Crash.self) { try await service.send(notificationID: id) }
            #expect(try await h.column("email_sent_at", of: id) == nil)
            // Attempt 2 (after the lease expires): sends once more and records it.
            #expect(try await service.send(notificationID: id) == .completed)
            // Attempt 3 and later: nothing more.
            #expect(try await service.send(notificationID: id) == .completed)
            let emails = h.sandbox.receivedEmails()
            #expect(emails.count == 2)  // the documented bound: one extra per interruption
            #expect(Set(emails.compactMap { $0.header("Message-ID") }).count == 1)
            #expect(try await h.column("provider_message_id", of: id) == emails.last?.messageID)
        }
    }
}
