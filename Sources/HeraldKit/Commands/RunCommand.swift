import ArgumentParser
import Curl
import Delivery
import Foundation
import Logging
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
        let logger = try global.makeLogger("herald.run")
        let environment = http.environment()
        let serverConfiguration = try http.serverConfiguration(environment: environment)
        let workerConfiguration = try worker.configuration()
        let registry = HeraldMetrics.bootstrap()
        let pool = PostgresPool(
            configuration: try global.databaseConfiguration(applicationName: "herald run"),
            pool: .init(maximumConnections: worker.poolSize(for: workerConfiguration) + http.poolSize()), logger: logger)
        let httpClient = CurlClient()
        defer { httpClient.shutdown() }
        let discussion: [any JobHandler]
        do {
            discussion = try DiscussionHandlers.fromEnvironment(
                environment, sandbox: http.isSandbox, pool: pool, httpClient: httpClient, logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }
        let registryOfHandlers = JobHandlerRegistry(HandlerCatalog.handlers(pool: pool, logger: logger) + discussion)
        let jobWorker = JobWorker(pool: pool, registry: registryOfHandlers, configuration: workerConfiguration,
                                  periodicTasks: HandlerCatalog.periodicTasks(logger: logger), logger: logger)
        let server = HeraldServer(configuration: serverConfiguration, pool: pool, registry: registry, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: jobWorker), .init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
