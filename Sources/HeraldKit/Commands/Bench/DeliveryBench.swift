import ArgumentParser
import Curl
import Foundation
import Logging
import Notifications
import Postgres
import Providers
import Queue
import ServiceLifecycle

/// `herald bench delivery`: N urgent notifications inserted in one statement, routed, rendered and
/// sent over loopback HTTP (single `/email` sends) to the sandbox Postmark, which runs in a process
/// of its own (``BenchSandbox``), so the CPU time measured for herald is Herald's.
struct DeliveryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "Insert N urgent notifications and send them through the sandbox; measure emails/s and latency.",
        discussion: """
            Emails/s is N divided by the time from the insert to the last email_sent_at; the latency is
            email_sent_at − created_at per notification (p50/p99, computed in SQL). The sandbox is a
            `herald sandbox` child process (or the one at --sandbox-url); herald's CPU per email
            counts the herald process only, and the child's is printed beside it.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Notifications (one user each).") var notifications: Int = 20_000
    @Option(name: .long, help: "Sandbox delay before every response, in milliseconds.") var delayMs: Int = 0
    @Option(name: .long, help: "Send to the sandbox already running at this URL (herald sandbox) instead of starting one.")
    var sandboxURL: String?
    @Option(name: .long, help: "Jobs run at once by the worker.") var concurrency: Int = 1_000
    @Option(name: .long, help: "Most jobs per claim.") var claimBatch: Int = 1_000
    @Option(name: .long, help: "Database connections of the worker.") var connections: Int = 24
    @Option(name: .long, help: "HTTP clients (libcurl multi drivers) the emails are spread over.") var httpClients: Int = 4
    @Flag(name: .long, help: "Route every email through its own email.send job (no inline first attempt), for comparison.")
    var noInline = false
    @Flag(name: .long, help: "Print one JSON object.") var json = false

    func validate() throws {
        guard notifications > 0, delayMs >= 0, concurrency > 0, claimBatch > 0, connections > 1 else {
            throw ValidationError("--notifications, --concurrency, --claim-batch must be positive, --connections > 1, --delay-ms ≥ 0")
        }
        if sandboxURL != nil && delayMs != 0 {
            throw ValidationError("--delay-ms applies to the sandbox the bench starts; start yours with herald sandbox --delay-ms")
        }
    }

    /// Herald's, PostgreSQL's and the sandbox's CPU time at the insert and once the sandbox
    /// accepted the last email.
    struct CPUSpan {
        var before: CPUMeter.Reading
        var after: CPUMeter.Reading
        var sandboxBefore: Double?
        var sandboxAfter: Double?
    }

    func run() async throws {
        let database = try await BenchDatabase.open(global)
        defer { database.close() }
        let logger = database.logger
        let pool = database.makePool(maximumConnections: connections)
        let tenant = UUID()
        let httpPool = (0..<max(1, httpClients)).map { _ in CurlClient() }
        defer { httpPool.forEach { $0.shutdown() } }
        try await pool.query("DELETE FROM herald_jobs WHERE kind IN ('notification.route', 'email.send', 'sms.send')")

        let sandbox = if let sandboxURL { BenchSandbox.existing(url: sandboxURL) } else { try await BenchSandbox.start(delayMs: delayMs) }
        let row: PostgresRow
        let cpu: CPUSpan
        do {
            (row, cpu) = try await deliver(pool: pool, sandbox: sandbox, httpPool: httpPool, tenant: tenant, meter: database.cpuMeter, logger: logger)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
        try await pool.query("DELETE FROM herald_jobs WHERE kind IN ('notification.route', 'email.send')")
        try await pool.query("DELETE FROM notifications WHERE tenant_id = $1", [tenant])
        try await pool.query("DELETE FROM notification_preferences WHERE tenant_id = $1", [tenant])
        await pool.close()

        let seconds = try row.decode(Double.self, column: "seconds")
        let p50 = try row.decode(Double.self, column: "p50")
        let p99 = try row.decode(Double.self, column: "p99")
        let routedSeconds = try row.decode(Double.self, column: "routed_seconds")
        let rate = Double(notifications) / max(seconds, 0.000_001)
        // CPU from the insert until the sandbox accepted the last email, in ms per email.
        let heraldCPU = (cpu.after.herald - cpu.before.herald) * 1000 / Double(notifications)
        let postgresCPU = cpu.after.postgres.flatMap { a in cpu.before.postgres.map { b in (a - b) * 1000 / Double(notifications) } }
        let sandboxCPU = cpu.sandboxAfter.flatMap { a in cpu.sandboxBefore.map { b in (a - b) * 1000 / Double(notifications) } }
        if json {
            var object: [String: Any] = [
                "emails_per_s": rate, "latency_p50_ms": p50, "latency_p99_ms": p99, "notifications": notifications,
                "delay_ms": delayMs, "concurrency": concurrency, "seconds": seconds, "all_routed_after_s": routedSeconds,
                "inline_first_attempt": !noInline, "herald_cpu_ms_per_email": heraldCPU,
                "sandbox": sandboxURL ?? "child process",
            ]
            if let postgresCPU { object["postgres_cpu_ms_per_email"] = postgresCPU }
            if let sandboxCPU { object["sandbox_cpu_ms_per_email"] = sandboxCPU }
            try printJSON(object)
        } else {
            print("""
                notifications:   \(notifications) urgent (\(noInline ? "route → email.send job" : "route, first attempt inline") → sandbox /email\(sandboxURL.map { " at " + $0 } ?? ", delay \(delayMs) ms"), concurrency \(concurrency))
                throughput:      \(Int(rate)) emails/s (\(String(format: "%.2f", seconds)) s from insert to last email_sent_at; all routed after \(String(format: "%.2f", routedSeconds)) s)
                insert→accepted: p50 \(String(format: "%.1f", p50)) ms, p99 \(String(format: "%.1f", p99)) ms
                CPU per email:   herald \(String(format: "%.3f", heraldCPU)) ms\(sandboxCPU.map { ", sandbox " + String(format: "%.3f", $0) + " ms (its own process, not in herald's)" } ?? "")\(postgresCPU.map { ", PostgreSQL " + String(format: "%.3f", $0) + " ms" } ?? "")
                """)
        }
    }

    /// Inserts the notifications, runs a worker until the sandbox accepted every email and each
    /// has its email_sent_at, and returns the figures' row and the CPU span.
    private func deliver(
        pool: PostgresPool, sandbox: BenchSandbox, httpPool: [CurlClient], tenant: UUID, meter: CPUMeter, logger: Logger
    ) async throws -> (PostgresRow, CPUSpan) {
        let postmarks = httpPool.map { http in
            PostmarkClient(
                configuration: PostmarkConfiguration(serverToken: sandbox.serverToken, apiURL: sandbox.url),
                httpClient: http, logger: logger)
        }
        let delivery = NotificationDelivery(
            pool: pool, postmark: postmarks[0], twilio: nil, configuration: .init(inlineFirstEmailAttempt: !noInline), logger: logger,
            additionalPostmarkClients: Array(postmarks.dropFirst()))
        try await pool.query(
            """
            INSERT INTO notification_preferences (user_id, tenant_id, email, digest_frequency)
            SELECT gen_random_uuid(), $1, 'bench' || g || '@example.com', 'daily' FROM generate_series(1, $2::int) g
            """, [tenant, notifications])
        let worker = JobWorker(
            pool: pool, registry: JobHandlerRegistry(delivery.handlers()),
            configuration: WorkerConfiguration(
                queues: ["default": concurrency], claimBatchSize: claimBatch, pollInterval: .milliseconds(200), runsMaintenance: false),
            logger: logger)
        let workerGroup = ServiceGroup(configuration: .init(services: [.init(service: worker)], logger: logger))
        // An external sandbox may have accepted emails before this run.
        let acceptedBefore = try await sandbox.emailsAccepted()
        do {
            return try await withThrowingTaskGroup(of: Void.self) { workerTasks in
                workerTasks.addTask { try await workerGroup.run() }
                try await Task.sleep(for: .milliseconds(300))  // the worker is listening
                let before = meter.read()
                let sandboxBefore = sandbox.cpuSeconds()
                try await pool.query(
                    """
                    INSERT INTO notifications (tenant_id, user_id, type, priority, data)
                    SELECT tenant_id, user_id, 'task.assigned', 'urgent',
                           jsonb_build_object('task_title', 'Benchmark task ' || row_number() OVER (), 'assigned_by', 'Herald bench',
                                              'url', 'https://app.example.com/tasks/' || user_id)
                      FROM notification_preferences WHERE tenant_id = $1
                    """, [tenant])
                let deadline = ContinuousClock.now + .seconds(600)
                // Watch the sandbox's counter first (one small GET every 10 ms, a few µs of
                // herald CPU each): polling count(*) over the notifications every few ms cost
                // PostgreSQL more than a third of its time in this benchmark. The database is
                // asked only once everything was accepted.
                var accepted = 0
                while accepted < notifications {
                    guard ContinuousClock.now < deadline else {
                        throw ValidationError("the sandbox accepted \(accepted) of \(notifications) emails in 600 s")
                    }
                    try await Task.sleep(for: .milliseconds(10))
                    accepted = try await sandbox.emailsAccepted() - acceptedBefore
                }
                let cpu = CPUSpan(before: before, after: meter.read(), sandboxBefore: sandboxBefore, sandboxAfter: sandbox.cpuSeconds())
                while true {
                    let sent = try await pool.query(
                        "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND email_sent_at IS NOT NULL", [tenant]
                    )[0].decode(Int.self, at: 0)
                    if sent >= notifications { break }
                    guard ContinuousClock.now < deadline else { throw ValidationError("only \(sent) of \(notifications) emails sent in 600 s") }
                    try await Task.sleep(for: .milliseconds(5))
                }
                await workerGroup.triggerGracefulShutdown()
                try await workerTasks.waitForAll()
                let row = try await pool.query(
                    """
                    SELECT count(*) AS n,
                           extract(epoch FROM max(email_sent_at) - min(created_at)) AS seconds,
                           extract(epoch FROM max(routed_at) - min(created_at)) AS routed_seconds,
                           1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY email_sent_at - created_at)) AS p50,
                           1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY email_sent_at - created_at)) AS p99
                      FROM notifications WHERE tenant_id = $1
                    """, [tenant])[0]
                return (row, cpu)
            }
        } catch {
            await workerGroup.triggerGracefulShutdown()
            throw error
        }
    }
}
