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
        let logger = try global.makeLogger("herald.serve")
        let serverConfiguration = try http.serverConfiguration()
        let registry = HeraldMetrics.bootstrap()
        // The HTTP side holds no session state (no LISTEN, no session lock), so it runs entirely
        // through a transaction pooler when there is one.
        var database = try global.databaseEndpoints(applicationName: "herald serve", needsSession: false).pooled
        // A query still running when its request gives up (503) is cancelled by the server too.
        database.statementTimeout = serverConfiguration.requestTimeout
        let pool = PostgresPool(configuration: database, pool: .init(maximumConnections: http.poolSize()), logger: logger)
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

    var isSandbox: Bool {
        sandbox || ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment["HERALD_SANDBOX"]?.lowercased() ?? "")
    }

    /// The process environment with the flags applied. In sandbox mode without HERALD_SECRET, a
    /// random secret is added, so that every component of this process signs with the same key.
    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let host { environment["HERALD_HTTP_HOST"] = host }
        if let port { environment["HERALD_HTTP_PORT"] = String(port) }
        if isSandbox, environment["HERALD_SECRET"]?.isEmpty ?? true {
            var generator = SystemRandomNumberGenerator()
            let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            environment["HERALD_SECRET"] = secret
            environment["HERALD_SANDBOX"] = "1"
        }
        return environment
    }

    func serverConfiguration(environment: [String: String]? = nil) throws -> ServerConfiguration {
        do {
            return try ServerConfiguration.fromEnvironment(environment ?? self.environment(), sandbox: isSandbox)
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }

    func poolSize() -> Int {
        httpPoolSize ?? ProcessInfo.processInfo.environment["HERALD_HTTP_DB_POOL_SIZE"].flatMap(Int.init) ?? 16
    }
}
