import ArgumentParser
import Curl
import Foundation
import Logging
import Mail
import Postgres
import Queue
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
        let settings = try http.settings()
        let logger = try global.makeLogger("herald.run", settings: settings)
        let isSandbox = try http.isSandbox(settings: settings)
        let serverConfiguration = try http.serverConfiguration(settings: settings)
        let workerConfiguration = try worker.configuration(settings: settings)
        let providers = try ProviderSettings.resolve(settings: settings, sandbox: isSandbox, logger: logger)
        let registry = HeraldMetrics.bootstrap()
        let endpoints = try global.databaseEndpoints(applicationName: "herald run", needsSession: true, settings: settings)
        let pool = try worker.makePool(database: endpoints.pooled, for: workerConfiguration, settings: settings, logger: logger)
        // The HTTP side has its own connections, whose statements stop with their request (see herald serve).
        let serverPool = try http.makePool(database: endpoints.pooled, server: serverConfiguration, settings: settings, logger: logger)
        let curl = try HandlerCatalog.httpClients(settings: settings)
        defer { curl.forEach { $0.shutdown() } }
        var services = try DeliveryWorkerService.services(
            pool: pool, http: curl, providers: providers, configuration: workerConfiguration, settings: settings,
            directDatabase: endpoints.direct, logger: logger)
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
