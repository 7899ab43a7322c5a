import ArgumentParser
import Foundation
import Logging
import Postgres
import Server
import ServiceLifecycle
import UnixSignals

/// `herald serve`: the HTTP side (pixel, clicks, webhooks, inbound replies, metrics, admin).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the open pixel, click redirects, Postmark/Twilio webhooks, inbound replies, /metrics, /healthz and /admin.",
        discussion: """
            Environment: HERALD_HTTP_HOST, HERALD_HTTP_PORT (default 127.0.0.1:8080), HERALD_PUBLIC_URL,
            HERALD_SECRET (required unless --sandbox), HERALD_POSTMARK_WEBHOOK_USER / _PASSWORD, TWILIO_AUTH_TOKEN,
            HERALD_TRUSTED_PROXIES, HERALD_ADMIN_USER / _PASSWORD, HERALD_HTTP_MAX_BODY, HERALD_HTTP_REQUEST_TIMEOUT.
            SIGTERM/SIGINT: stop accepting, answer what is in flight, write pending tracking events, exit.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var http: HTTPOptions

    func run() async throws {
        let settings = try http.settings()
        let logger = try global.makeLogger("herald.serve", settings: settings)
        let serverConfiguration = try http.serverConfiguration(settings: settings)
        let registry = HeraldMetrics.bootstrap()
        // The HTTP side holds no session state (no LISTEN, no session lock), so it runs entirely
        // through a transaction pooler when there is one.
        let database = try global.databaseEndpoints(applicationName: "herald serve", needsSession: false, settings: settings).pooled
        let pool = try http.makePool(database: database, server: serverConfiguration, settings: settings, logger: logger)
        let server = HeraldServer(configuration: serverConfiguration, pool: pool, registry: registry, logger: logger)
        logger.info("herald serve listening", metadata: ["address": "\(serverConfiguration.host):\(serverConfiguration.port)", "public_url": "\(serverConfiguration.publicURL)"])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}

/// `herald serve` / `herald run` HTTP settings: flags over environment over defaults.
struct HTTPOptions: ParsableArguments {
    @Option(name: .long, help: "Listen address (env HERALD_HTTP_HOST, default 127.0.0.1).") var host: String?
    @Option(name: .long, help: "Listen port, 0 for any (env HERALD_HTTP_PORT, default 8080).") var port: Int?
    @Flag(name: .long, help: "Sandbox/demo mode: a random HERALD_SECRET and sandbox webhook credentials when unset (env HERALD_SANDBOX=1).")
    var sandbox = false
    @Option(name: .long, help: "Database connections of the HTTP side (env HERALD_HTTP_DB_POOL_SIZE, default 16).") var httpPoolSize: Int?

    /// `--sandbox`, then `HERALD_SANDBOX`.
    func isSandbox(settings: Settings) throws -> Bool {
        try sandbox || settings.validated { try $0.sandbox() }
    }

    /// The process's settings with `--host` and `--port` applied, and in sandbox mode a random
    /// `HERALD_SECRET` when it is unset (shared by every part of the process).
    func settings(_ settings: Settings = .process) throws -> Settings {
        let applied = settings.overriding("HERALD_HTTP_HOST", with: host).overriding("HERALD_HTTP_PORT", with: port.map(String.init))
        return try isSandbox(settings: applied) ? applied.withSandboxSecret() : applied
    }

    /// `herald serve`'s configuration from `settings` (see ``settings(_:)``).
    func serverConfiguration(settings: Settings) throws -> ServerConfiguration {
        let sandbox = try isSandbox(settings: settings)
        return try settings.validated { try $0.server(sandbox: sandbox) }
    }

    /// `--http-pool-size`, then `HERALD_HTTP_DB_POOL_SIZE` (default 16).
    func poolSize(settings: Settings) throws -> Int {
        try httpPoolSize ?? settings.validated { try $0.httpPoolSize() }
    }

    /// The HTTP side's connections to `database` (at most ``poolSize(settings:)``): a query still
    /// running when its request gives up (503, `server.requestTimeout`) is cancelled by the
    /// database too.
    func makePool(database: PostgresConfiguration, server: ServerConfiguration, settings: Settings, logger: Logger) throws -> PostgresPool {
        var database = database
        database.statementTimeout = server.requestTimeout
        return PostgresPool(configuration: database, pool: .init(maximumConnections: try poolSize(settings: settings)), logger: logger)
    }
}
