import ArgumentParser
import Curl
import Foundation
import Logging
import Mail
import Postgres
import Queue
import Sandbox
import Server
import ServiceLifecycle
import UnixSignals

/// `herald run`: a worker and the HTTP server in one process (small installs).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a worker and the HTTP server in one process (one ServiceGroup, graceful shutdown on SIGTERM/SIGINT).",
        discussion: "Takes the settings of both `herald work` and `herald serve`.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var http: HTTPOptions

    func run() async throws {
        let logger = try global.makeLogger("herald.run")
        let environment = http.environment()
        let serverConfiguration = try http.serverConfiguration(environment: environment)
        let workerConfiguration = try worker.configuration()
        let providers = try ProviderSettings.resolve(environment: environment, sandbox: http.isSandbox, logger: logger)
        let registry = HeraldMetrics.bootstrap()
        let endpoints = try global.databaseEndpoints(applicationName: "herald run", needsSession: true, environment: environment)
        var database = endpoints.pooled
        database.statementTimeout = try worker.statementTimeout()
        let pool = PostgresPool(configuration: database, pool: .init(maximumConnections: worker.poolSize(for: workerConfiguration)), logger: logger)
        // The HTTP side has its own connections, whose statements stop with their request (see herald serve).
        var serverDatabase = database
        serverDatabase.statementTimeout = serverConfiguration.requestTimeout
        let serverPool = PostgresPool(configuration: serverDatabase, pool: .init(maximumConnections: http.poolSize()), logger: logger)
        let curl = try HandlerCatalog.httpClients(environment: environment)
        defer { curl.forEach { $0.shutdown() } }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var sandbox: SandboxProviders?
        if http.isSandbox {
            let providers = SandboxProviders(configuration: .init(logger: logger))
            sandbox = providers
            services.append(.init(service: providers))
        }
        services.append(.init(service: DeliveryWorkerService(
            pool: pool, http: curl, providers: providers, sandbox: sandbox, configuration: workerConfiguration,
            delivery: HandlerCatalog.deliveryConfiguration(environment: environment),
            discussion: try HandlerCatalog.discussionSettings(environment: environment, sandbox: http.isSandbox), logger: logger,
            directDatabase: endpoints.direct)))
        services.append(.init(service: HeraldServer(configuration: serverConfiguration, pool: serverPool, registry: registry, logger: logger)))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await pool.close()
            await serverPool.close()
            throw error
        }
        await pool.close()
        await serverPool.close()
    }
}
