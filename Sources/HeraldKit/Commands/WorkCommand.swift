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
        let environment = ProcessInfo.processInfo.environment
        let logger = try global.makeLogger("herald.work")
        let configuration = try worker.configuration()
        let useSandbox = sandbox || ["1", "true", "yes"].contains(environment["HERALD_SANDBOX"]?.lowercased() ?? "")
        // Fail before touching the database when credentials are missing.
        let providers = try ProviderSettings.resolve(environment: environment, sandbox: useSandbox, logger: logger)
        let endpoints = try global.databaseEndpoints(applicationName: "herald work", needsSession: true, environment: environment)
        var database = endpoints.pooled
        database.statementTimeout = try worker.statementTimeout(environment: environment)
        let pool = PostgresPool(
            configuration: database,
            pool: .init(maximumConnections: worker.poolSize(for: configuration)), logger: logger)
        let http = try HandlerCatalog.httpClients(environment: environment)
        defer { http.forEach { $0.shutdown() } }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var sandboxProviders: SandboxProviders?
        if useSandbox {
            var sandboxConfiguration = SandboxProviders.Configuration()
            sandboxConfiguration.logger = logger
            let providers = SandboxProviders(configuration: sandboxConfiguration)
            sandboxProviders = providers
            services.append(.init(service: providers))
        }
        let workerService = DeliveryWorkerService(
            pool: pool, http: http, providers: providers, sandbox: sandboxProviders, configuration: configuration,
            delivery: HandlerCatalog.deliveryConfiguration(environment: environment),
            discussion: try HandlerCatalog.discussionSettings(environment: environment, sandbox: useSandbox), logger: logger,
            directDatabase: endpoints.direct)
        services.append(.init(service: workerService))
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
    static func resolve(environment: [String: String], sandbox: Bool, logger: Logger) throws -> ProviderSettings {
        do {
            let postmark = try PostmarkConfiguration.fromEnvironment(environment, sandbox: sandbox)
            let twilioVariables = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID"]
            let anyTwilio = twilioVariables.contains { !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
            var twilio: TwilioConfiguration?
            if sandbox || anyTwilio {
                twilio = try TwilioConfiguration.fromEnvironment(environment, sandbox: sandbox)
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
    /// - Throws: a `ValidationError` when the setting is not a positive number, or when the libcurl
    ///   loaded is older than `CurlLibraryVersion.minimumSupported` (said at start-up rather than
    ///   at the first email).
    static func httpClients(environment: [String: String]) throws -> [CurlClient] {
        do {
            try CurlLibraryVersion.checkLoaded()
        } catch {
            throw ValidationError(error.message)
        }
        var configuration = CurlClient.Configuration()
        if let text = environment["HERALD_HTTP_MAX_RESPONSE_BYTES"], !text.isEmpty {
            guard let limit = Int(text), limit > 0 else {
                throw ValidationError("HERALD_HTTP_MAX_RESPONSE_BYTES must be a positive number of bytes (default \(CurlClient.Configuration.defaultMaxResponseBodySize))")
            }
            configuration.maxResponseBodySize = limit
        }
        return (0..<max(1, Int(environment["HERALD_HTTP_CLIENTS"] ?? "") ?? 4)).map { _ in CurlClient(configuration: configuration) }
    }

    /// The discussion settings (HERALD_SECRET, HERALD_PUBLIC_URL …), read before anything starts.
    static func discussionSettings(environment: [String: String], sandbox: Bool) throws -> DiscussionSettings {
        do {
            return try DiscussionSettings.fromEnvironment(environment, sandbox: sandbox)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Sender defaults from HERALD_FROM_EMAIL, HERALD_FROM_NAME and HERALD_MESSAGE_ID_DOMAIN;
    /// HERALD_INLINE_FIRST_EMAIL=0 makes every immediate email an `email.send` job.
    static func deliveryConfiguration(environment: [String: String]) -> NotificationDeliveryConfiguration {
        var configuration = NotificationDeliveryConfiguration()
        if let inline = environment["HERALD_INLINE_FIRST_EMAIL"]?.lowercased(), ["0", "false", "no", "off"].contains(inline) {
            configuration.inlineFirstEmailAttempt = false
        }
        if let from = environment["HERALD_FROM_EMAIL"], !from.isEmpty { configuration.defaultFromEmail = from }
        if let name = environment["HERALD_FROM_NAME"], !name.isEmpty { configuration.defaultFromName = name }
        if let domain = environment["HERALD_MESSAGE_ID_DOMAIN"], !domain.isEmpty { configuration.messageIDDomain = domain }
        return configuration
    }
}
