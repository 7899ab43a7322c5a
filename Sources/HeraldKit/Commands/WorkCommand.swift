import ArgumentParser
import Curl
import Discussions
import Foundation
import Logging
import Mail
import Notifications
import Postgres
import Providers
import Queue
import Sandbox
import ServiceLifecycle
import UnixSignals

/// `herald work`: a worker process.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Claim and run jobs (run any number of these, on any number of machines).",
        discussion: """
            SIGTERM/SIGINT: stop claiming, finish in-flight jobs within the grace period, release the rest.

            Providers: POSTMARK_SERVER_TOKEN (required), POSTMARK_API_URL; TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
            TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID, TWILIO_API_URL. With no TWILIO_* variable at all, SMS is
            off (routing records sms_not_configured); a partial Twilio configuration is an error. --sandbox (or
            HERALD_SANDBOX=1) starts the loopback sandbox providers in this process and sends everything there.
            Sender defaults: HERALD_FROM_EMAIL, HERALD_FROM_NAME, HERALD_MESSAGE_ID_DOMAIN. HERALD_HTTP_CLIENTS (default 4):
            libcurl clients the immediate emails are spread over. HERALD_HTTP_MAX_RESPONSE_BYTES (default 16777216):
            largest provider response accepted.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var worker: WorkerOptions

    @Flag(name: .long, help: "Send through sandbox providers started in this process (env HERALD_SANDBOX=1).")
    var sandbox = false

    func run() async throws {
        let settings = Settings.process
        let logger = try global.makeLogger("herald.work", settings: settings)
        let configuration = try worker.configuration(settings: settings)
        let useSandbox = try sandbox || settings.validated { try $0.sandbox() }
        // Fail before touching the database when credentials are missing.
        let providers = try ProviderSettings.resolve(settings: settings, sandbox: useSandbox, logger: logger)
        let endpoints = try global.databaseEndpoints(applicationName: "herald work", needsSession: true, settings: settings)
        let pool = try worker.makePool(database: endpoints.pooled, for: configuration, settings: settings, logger: logger)
        let http = try HandlerCatalog.httpClients(settings: settings)
        defer { http.forEach { $0.shutdown() } }

        let services = try DeliveryWorkerService.services(
            pool: pool, http: http, providers: providers, configuration: configuration, settings: settings,
            directDatabase: endpoints.direct, logger: logger)
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await pool.close()
    }
}

/// Provider settings resolved from the environment before start-up.
struct ProviderSettings: Sendable {
    var postmark: PostmarkConfiguration
    /// Nil: SMS off.
    var twilio: TwilioConfiguration?
    var sandbox: Bool

    /// - Throws: a `ValidationError` naming every missing or invalid variable.
    static func resolve(settings: Settings, sandbox: Bool, logger: Logger) throws -> ProviderSettings {
        do {
            let postmark = try settings.postmark(sandbox: sandbox)
            var twilio: TwilioConfiguration?
            if sandbox || settings.anyTwilio {
                twilio = try settings.twilio(sandbox: sandbox)
            } else {
                logger.warning("SMS is off: no TWILIO_* variable is set (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM to send SMS)")
            }
            return ProviderSettings(postmark: postmark, twilio: twilio, sandbox: sandbox)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

/// Runs the JobWorker once the providers are reachable (in sandbox mode, once the in-process
/// sandbox listens, so the clients know its port). Used by `herald work`, `herald run` and `herald demo`.
///
/// It holds parsed settings only, never the process environment, and prints as its bare name:
/// ServiceLifecycle logs every service's description at debug level.
struct DeliveryWorkerService: Service, CustomStringConvertible {
    let pool: PostgresPool
    let http: [CurlClient]
    let providers: ProviderSettings
    let sandbox: SandboxProviders?
    let configuration: WorkerConfiguration
    let delivery: NotificationDeliveryConfiguration
    /// The discussion side's settings (HERALD_SECRET, HERALD_PUBLIC_URL …).
    let discussion: DiscussionSettings
    let logger: Logger
    /// The LISTEN and leader connections' database (HERALD_DIRECT_DATABASE_URL); nil: the pool's.
    var directDatabase: PostgresConfiguration? = nil

    var description: String { "DeliveryWorkerService" }

    func run() async throws {
        var postmarkConfiguration = providers.postmark
        var twilioConfiguration = providers.twilio
        if let sandbox {
            let url = await sandbox.postmarkURL
            postmarkConfiguration.apiURL = url
            twilioConfiguration?.apiURL = url
            logger.info("sandbox providers running", metadata: ["url": "\(url)"])
        }
        let postmarks = http.map { PostmarkClient(configuration: postmarkConfiguration, httpClient: $0, logger: logger) }
        let settings = discussion
        // Digests carry a one-click unsubscribe URL that `herald serve` verifies with the same secret.
        var delivery = self.delivery
        if delivery.digestUnsubscribe == nil {
            delivery.digestUnsubscribe = .init(publicURL: settings.publicURL, key: settings.signingKey)
        }
        let notificationDelivery = NotificationDelivery(
            pool: pool, postmark: postmarks[0],
            twilio: twilioConfiguration.map { TwilioClient(configuration: $0, httpClient: http[0], logger: logger) },
            configuration: delivery, logger: logger, additionalPostmarkClients: Array(postmarks.dropFirst()))
        let discussion: [any JobHandler]
        do {
            discussion = DiscussionHandlers.all(
                pool: pool, composer: try settings.composer(), postmark: postmarks[0], defaultFrom: settings.defaultFrom, logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }
        let registry = JobHandlerRegistry(HandlerCatalog.handlers(logger: logger, delivery: notificationDelivery, discussion: discussion))
        let jobWorker = JobWorker(
            pool: pool, registry: registry, configuration: configuration, directConfiguration: directDatabase,
            periodicTasks: notificationDelivery.periodicTasks(), logger: logger)
        try await jobWorker.run()
    }
}

extension DeliveryWorkerService {
    /// The services of the worker of `herald work` and `herald run`: in sandbox mode the sandbox
    /// providers first (the worker sends to them once they listen), then the worker, with the
    /// delivery and discussion settings of `settings`.
    static func services(
        pool: PostgresPool, http: [CurlClient], providers: ProviderSettings, configuration: WorkerConfiguration,
        settings: Settings, directDatabase: PostgresConfiguration?, logger: Logger
    ) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var sandbox: SandboxProviders?
        if providers.sandbox {
            let sandboxProviders = SandboxProviders(configuration: .init(logger: logger))
            sandbox = sandboxProviders
            services.append(.init(service: sandboxProviders))
        }
        services.append(.init(service: DeliveryWorkerService(
            pool: pool, http: http, providers: providers, sandbox: sandbox, configuration: configuration,
            delivery: try settings.validated { try $0.delivery() },
            discussion: try settings.validated { try $0.discussion(sandbox: providers.sandbox) }, logger: logger,
            directDatabase: directDatabase)))
        return services
    }
}

/// The handlers and leader tasks that `herald work` and `herald run` register.
enum HandlerCatalog {
    /// Diagnostics, notification delivery (`notification.route`, `email.send`, `sms.send`,
    /// `digest.build`) and discussion fan-out (`message.fanout`).
    static func handlers(logger: Logger, delivery: NotificationDelivery, discussion: [any JobHandler]) -> [any JobHandler] {
        DiagnosticHandlers.all(logger: logger) + delivery.handlers() + discussion
    }

    /// HERALD_HTTP_CLIENTS (default 4) libcurl clients: several multi drivers, each polling only
    /// its own share of the in-flight requests. Each accepts responses up to
    /// HERALD_HTTP_MAX_RESPONSE_BYTES (default 16 MiB).
    ///
    /// - Throws: a `ValidationError` when a setting is not a positive number, or when the libcurl
    ///   loaded is older than `CurlLibraryVersion.minimumSupported` (said at start-up rather than
    ///   at the first email).
    static func httpClients(settings: Settings) throws -> [CurlClient] {
        do {
            try CurlLibraryVersion.checkLoaded()
        } catch {
            throw ValidationError(error.message)
        }
        let configuration = try settings.validated { try $0.curl() }
        let count = try settings.validated { try $0.httpClientCount() }
        return (0..<count).map { _ in CurlClient(configuration: configuration) }
    }
}
