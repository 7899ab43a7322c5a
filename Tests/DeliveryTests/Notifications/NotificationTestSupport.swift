import Curl
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import ServiceLifecycle

/// A database, a running sandbox and notification delivery wired to both, for one test.
struct DeliveryHarness: Sendable {
    let db: TestDatabase
    let pool: PostgresPool
    let sandbox: SandboxProviders
    let delivery: NotificationDelivery
    let postmark: PostmarkClient
    let twilio: TwilioClient

    static let http = CurlClient()
    /// The key of the digests' unsubscribe links in these tests.
    static let unsubscribeKey = try! TokenSigningKey(secret: String(repeating: "u", count: 32))
    static let logger: Logger = {
        var logger = Logger(label: "notification-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Loopback calls answer in milliseconds; a starved machine must not turn one into a
    /// provider timeout (the production default is 10 s). Tests of timeouts set their own.
    static let requestTimeout: Duration = .seconds(60)

    var store: NotificationStore { NotificationStore(pool: pool) }
    var resolver: ProviderOutcomeResolver { ProviderOutcomeResolver(suppressions: SuppressionList(pool: pool)) }

    /// What the handlers share, with `configuration` (default: the delivery's).
    func context(_ configuration: NotificationDeliveryConfiguration? = nil) -> ChannelContext {
        delivery.context(configuration: configuration)
    }

    func emailService(afterAcceptance: (@Sendable (UUID) async throws -> Void)? = nil) -> EmailNotificationService {
        EmailNotificationService(context: context(), postmark: postmark, afterAcceptance: afterAcceptance)
    }

    /// Runs `body` with a fresh database and sandbox; SMS on unless `sms` is false.
    static func run<T: Sendable>(
        _ label: String, sms: Bool = true, additionalChannels: [any NotificationChannel] = [], _ body: (DeliveryHarness) async throws -> T
    ) async throws -> T {
        try await withTestDatabase(label) { db in
            var configuration = SandboxProviders.Configuration()
            configuration.logger = logger
            return try await SandboxProviders.withRunning(configuration: configuration) { sandbox in
                let pool = db.pool(maximumConnections: 10)
                let url = await sandbox.postmarkURL
                let postmark = PostmarkClient(
                    configuration: PostmarkConfiguration(
                        serverToken: sandbox.configuration.postmarkServerToken, apiURL: url, requestTimeout: Self.requestTimeout),
                    httpClient: http, logger: logger)
                let twilio = TwilioClient(
                    configuration: TwilioConfiguration(
                        accountSID: sandbox.configuration.twilioAccountSID, authToken: sandbox.configuration.twilioAuthToken,
                        sender: .from("+15005550006"), apiURL: url, requestTimeout: Self.requestTimeout),
                    httpClient: http, logger: logger)
                let delivery = NotificationDelivery(
                    pool: pool, postmark: postmark, twilio: sms ? twilio : nil,
                    configuration: NotificationDeliveryConfiguration(
                        // "Close together" on a busy machine is further apart: the digest jobs of one
                        // claim reach the coalescer seconds apart when the CPU is shared ten ways.
                        digestBatchWindow: .seconds(1) * testLoadFactor,
                        digestUnsubscribe: .init(publicURL: "https://herald.example.com", key: unsubscribeKey)),
                    logger: logger, additionalChannels: additionalChannels)
                let harness = DeliveryHarness(db: db, pool: pool, sandbox: sandbox, delivery: delivery, postmark: postmark, twilio: twilio)
                do {
                    let value = try await body(harness)
                    await pool.close()
                    return value
                } catch {
                    await pool.close()
                    throw error
                }
            }
        }
    }

    /// Runs a JobWorker with the delivery handlers (and `periodicTasks`) during `body`.
    func withWorker<T: Sendable>(periodicTasks: [any PeriodicTask] = [], _ body: () async throws -> T) async throws -> T {
        let worker = JobWorker(
            pool: pool, registry: JobHandlerRegistry(delivery.handlers()),
            configuration: WorkerConfiguration(
                queues: ["default": 50], claimBatchSize: 100, pollInterval: .milliseconds(100), lease: .seconds(5),
                shutdownGracePeriod: .seconds(5), backoff: Backoff(base: .seconds(60), maximum: .seconds(60), jitter: 0),
                runsMaintenance: !periodicTasks.isEmpty, maintenanceInterval: .milliseconds(100)),
            periodicTasks: periodicTasks, logger: Self.logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: worker)], logger: Self.logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            while try await tasks.next() != nil {}
            return try result.get()
        }
    }

    // MARK: Data

    @discardableResult
    func addUser(
        tenant: UUID, email: String?, phone: String? = nil, sms: Bool = false, frequency: String = "daily",
        timeZone: String = "UTC", hour: Int = 8
    ) async throws -> UUID {
        let user = UUID()
        try await pool.query(
            """
            INSERT INTO notification_preferences (user_id, tenant_id, email, phone, sms_enabled, digest_frequency, time_zone, digest_hour)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [user, tenant, email, phone, sms, frequency, timeZone, hour])
        return user
    }

    /// Inserts a notification (the trigger enqueues its route job) and returns its id.
    @discardableResult
    func notify(tenant: UUID, user: UUID, type: String = "task.assigned", priority: String, data: String = #"{"task_title": "Ship it"}"#)
        async throws -> UUID
    {
        try await pool.query("SELECT herald_notify($1, $2, $3, $4, $5::jsonb) AS id", [tenant, user, type, priority, data])[0]
            .decode(UUID.self, column: "id")
    }

    /// One column of a notification as text.
    func column(_ name: String, of id: UUID) async throws -> String? {
        // `name` is one of the literal column names used by the tests, never input.
        try await pool.query("SELECT \(name)::text AS v FROM notifications WHERE id = $1", [id])[0].decode(String?.self, column: "v")
    }

    func jobStates(kind: String) async throws -> [String] {
        try await pool.query("SELECT state FROM herald_jobs WHERE kind = $1 ORDER BY id", [kind]).map { try $0.decode(String.self, column: "state") }
    }

    /// Jobs of the delivery kinds that are still live.
    func liveJobs() async throws -> Int {
        try await pool.query(
            "SELECT count(*) FROM herald_jobs WHERE state IN ('available', 'scheduled', 'running') AND kind <> 'herald.noop'"
        )[0].decode(Int.self, at: 0)
    }
}


/// A fake job for calling a handler directly.
func fakeJob(kind: String, args: String, attempt: Int = 1) -> Job {
    Job(id: 1, kind: kind, queue: "default", priority: 0, args: PostgresJSON(args), attempt: attempt, maxAttempts: 20,
        runAt: Date(), createdAt: Date())
}
