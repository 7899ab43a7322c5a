import Foundation
import HeraldTestSupport
@testable import Mail
@testable import Notifications
import Postgres
import Queue
import Sandbox
import Synchronization
import Testing

/// `notification.route` making the first email attempt itself (email the only immediate channel),
/// against PostgreSQL and the sandbox Postmark over HTTP.
@Suite("Inline first email attempt")
struct InlineFirstAttemptTests {
    /// A router whose inline attempt uses `backoff` and runs `afterAcceptance` after Postmark accepted.
    static func router(_ h: DeliveryHarness, backoff: Backoff = Backoff(base: .seconds(10), jitter: 0),
                       afterAcceptance: (@Sendable (UUID) async throws -> Void)? = nil) -> NotificationRouter {
        var configuration = h.delivery.configuration
        configuration.inlineRetryBackoff = backoff
        let email = EmailNotificationService(context: h.context(configuration), postmark: h.postmark, afterAcceptance: afterAcceptance)
        return NotificationRouter(store: h.store, configuration: configuration, logger: DeliveryHarness.logger, email: email)
    }

    static func routeJob(_ id: UUID) -> Job {
        fakeJob(kind: "notification.route", args: #"{"notification_id": "\#(id.uuidString.lowercased())"}"#)
    }

    struct JobRow: Sendable {
        var state: String
        var attempt: Int
        var errors: String
        var uniqueKey: String?
        /// The backoff the job was written with: `run_at - created_at`, both the writing statement's
        /// `now()`, so a slow machine between the write and this read changes nothing.
        var runsInSeconds: Double
        /// `run_at` as seconds since 1970.
        var runAt: Double
        var finished: Bool
    }

    static func emailJobs(_ h: DeliveryHarness) async throws -> [JobRow] {
        try await h.pool.query(
            """
            SELECT state, attempt, errors::text AS errors, unique_key, extract(epoch FROM run_at - created_at)::float8 AS runs_in,
                   extract(epoch FROM run_at)::float8 AS run_at,
                   finished_at IS NOT NULL AS finished
              FROM herald_jobs WHERE kind = 'email.send' ORDER BY id
            """
        ).map {
            JobRow(state: try $0.decode(String.self, column: "state"), attempt: try $0.decode(Int.self, column: "attempt"),
                   errors: try $0.decode(String.self, column: "errors"), uniqueKey: try $0.decode(String?.self, column: "unique_key"),
                   runsInSeconds: try $0.decode(Double.self, column: "runs_in"), runAt: try $0.decode(Double.self, column: "run_at"), finished: try $0.decode(Bool.self, column: "finished"))
        }
    }

    @Test("Through the worker: routed and sent by the route job alone, no email.send job, sent mark and MessageID stored")
    func sentByTheRouteJob() async throws {
        try await DeliveryHarness.run("inlinesent", sms: false) { h in
            let tenant = UUID()
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "now@example.com"), priority: "high")
            try await h.withWorker {
                #expect(await eventually { try await h.jobStates(kind: "notification.route") == ["completed"] })
            }
            let emails = h.sandbox.receivedEmails()
            #expect(emails.count == 1)
            #expect(emails.first?.toAddresses == ["now@example.com"])
            #expect(try await h.jobStates(kind: "email.send").isEmpty)
            #expect(try await h.column("route", of: id) == "email")
            #expect(try await h.column("skip_reason", of: id) == nil)
            #expect(try await h.column("email_sent_at", of: id) != nil)
            #expect(try await h.column("provider_message_id", of: id) == emails.first?.messageID)
        }
    }

    @Test("A 500 leaves email.send retryable at attempt 1 with the error and the backoff; it sends when due")
    func retryableFirstAttempt() async throws {
        try await DeliveryHarness.run("inlineretry", sms: false) { h in
            let tenant = UUID()
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "flaky@example.com"), priority: "urgent")
            h.sandbox.failNext(1, endpoint: .email, with: .status(500))
            let before = Date().timeIntervalSince1970
            #expect(try await Self.router(h).handle(Self.routeJob(id)) == .completed)
            let jobs = try await Self.emailJobs(h)
            #expect(jobs.count == 1)
            let job = try #require(jobs.first)
            #expect(job.state == "retryable")
            #expect(job.attempt == 1)
            #expect(job.errors.contains("500"))
            #expect(job.errors.contains("notification.route (first attempt)"))
            #expect(job.uniqueKey == "email.send:\(id.uuidString.lowercased())")
            // Backoff 10 s without jitter, counted from the failed attempt: at least 10 s after the
            // attempt began, at most 10 s after the row was written (run_at is computed before the
            // write). Bounds that hold however slow the machine is.
            #expect(job.runAt - before >= 9.9, "run_at only \(job.runAt - before) s after the attempt began")
            #expect(job.runsInSeconds <= 10.5, "run_at \(job.runsInSeconds) s after the row was written")
            #expect(!job.finished)
            #expect(try await h.column("route", of: id) == "email")
            #expect(try await h.column("email_sent_at", of: id) == nil)
            // Due now: the worker runs it as attempt 2 and sends.
            try await h.pool.query("UPDATE herald_jobs SET state = 'available', run_at = now() WHERE kind = 'email.send'")
            try await h.withWorker {
                #expect(await eventually { try await h.jobStates(kind: "email.send") == ["completed"] })
            }
            #expect(try await Self.emailJobs(h).first?.attempt == 2)
            #expect(try await h.column("email_sent_at", of: id) != nil)
            #expect(h.sandbox.receivedEmails().count == 1)
        }
    }

    @Test("406: email.send failed with the reason, the address suppressed, skip_reason email_refused")
    func refusedFirstAttempt() async throws {
        try await DeliveryHarness.run("inlinerefused", sms: false) { h in
            let tenant = UUID()
            h.sandbox.setInactiveRecipient("gone@example.com")
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "gone@example.com"), priority: "urgent")
            #expect(try await Self.router(h).handle(Self.routeJob(id)) == .completed)
            let job = try #require(try await Self.emailJobs(h).first)
            #expect(job.state == "failed")
            #expect(job.attempt == 1)
            #expect(job.finished)
            #expect(job.errors.contains("406"))
            #expect(try await SuppressionList(pool: h.pool).isSuppressed("gone@example.com"))
            #expect(try await h.column("skip_reason", of: id) == "email_refused")
            #expect(try await h.column("email_sent_at", of: id) == nil)
            // It shows among the failed jobs an admin retries from.
            let failed = try await h.pool.query("SELECT count(*) FROM herald_failed_jobs WHERE kind = 'email.send'")[0].decode(Int.self, at: 0)
            #expect(failed == 1)
        }
    }

    @Test("Suppressed address: email.send cancelled, no request, skip_reason suppressed")
    func suppressedFirstAttempt() async throws {
        try await DeliveryHarness.run("inlinesuppressed", sms: false) { h in
            let tenant = UUID()
            try await SuppressionList(pool: h.pool).add("blocked@example.com", reason: "hard bounce", bounceType: .hard)
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "blocked@example.com"), priority: "urgent")
            #expect(try await Self.router(h).handle(Self.routeJob(id)) == .completed)
            let job = try #require(try await Self.emailJobs(h).first)
            #expect(job.state == "cancelled")
            #expect(job.errors.contains("suppressed"))
            #expect(h.sandbox.counters().emailRequests == 0)
            #expect(try await h.column("skip_reason", of: id) == "suppressed")
        }
    }

    @Test("Interrupted after acceptance: the rerun route job sends once more with the same Message-ID, then nothing")
    func duplicateBound() async throws {
        try await DeliveryHarness.run("inlinecrash", sms: false) { h in
            let tenant = UUID()
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "crash@example.com"), priority: "urgent")
            struct Crash: Error {}
            let crashes = Mutex(1)
            let router = Self.router(h, afterAcceptance: { _ in
                if crashes.withLock({ count in defer { count -= 1 }; return count > 0 }) { throw Crash() }
            })
            await #expect(throws: Crash.self) { try await router.handle(Self.routeJob(id)) }
            // Nothing was written: the notification is still unrouted, so the rescued job starts over.
            #expect(try await h.column("routed_at", of: id) == nil)
            #expect(try await h.column("email_sent_at", of: id) == nil)
            #expect(try await router.handle(Self.routeJob(id)) == .completed)
            #expect(try await router.handle(Self.routeJob(id)) == .completed)
            let emails = h.sandbox.receivedEmails()
            #expect(emails.count == 2)
            #expect(Set(emails.compactMap { $0.header("Message-ID") }).count == 1)
            #expect(try await h.column("provider_message_id", of: id) == emails.last?.messageID)
            #expect(try await Self.emailJobs(h).isEmpty)
        }
    }

    @Test("With SMS as well, both channels get their own jobs at once and nothing is sent by the route job")
    func smsKeepsSeparateJobs() async throws {
        try await DeliveryHarness.run("inlinesms") { h in
            let tenant = UUID()
            let user = try await h.addUser(tenant: tenant, email: "both@example.com", phone: "+14155550100", sms: true)
            let id = try await h.notify(tenant: tenant, user: user, priority: "urgent")
            #expect(try await Self.router(h).handle(Self.routeJob(id)) == .completed)
            #expect(h.sandbox.counters().emailRequests == 0)
            #expect(try await h.jobStates(kind: "email.send") == ["available"])
            #expect(try await h.jobStates(kind: "sms.send") == ["available"])
            #expect(try await h.column("route", of: id) == "email+sms")
        }
    }

    @Test("Switched off: the route job only enqueues email.send")
    func switchedOff() async throws {
        try await DeliveryHarness.run("inlineoff", sms: false) { h in
            let tenant = UUID()
            let id = try await h.notify(tenant: tenant, user: try await h.addUser(tenant: tenant, email: "later@example.com"), priority: "urgent")
            var configuration = h.delivery.configuration
            configuration.inlineFirstEmailAttempt = false
            let router = NotificationRouter(store: h.store, configuration: configuration, logger: DeliveryHarness.logger, email: h.emailService())
            #expect(try await router.handle(Self.routeJob(id)) == .completed)
            #expect(h.sandbox.counters().emailRequests == 0)
            #expect(try await h.jobStates(kind: "email.send") == ["available"])
        }
    }
}
