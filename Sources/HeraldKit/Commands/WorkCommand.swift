import ArgumentParser
import Delivery
import Logging
import Postgres
import Queue
import ServiceLifecycle
import UnixSignals

/// `herald work`: a worker process.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Claim and run jobs (run any number of these, on any number of machines).",
        discussion: "SIGTERM/SIGINT: stop claiming, finish in-flight jobs within the grace period, release the rest.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var worker: WorkerOptions

    func run() async throws {
        let logger = try global.makeLogger("herald.work")
        let configuration = try worker.configuration()
        let pool = PostgresPool(
            configuration: try global.databaseConfiguration(applicationName: "herald work"),
            pool: .init(maximumConnections: worker.poolSize(for: configuration)), logger: logger)
        let registry = JobHandlerRegistry(HandlerCatalog.handlers(pool: pool, logger: logger))
        let jobWorker = JobWorker(pool: pool, registry: registry, configuration: configuration,
                                  periodicTasks: HandlerCatalog.periodicTasks(logger: logger), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: jobWorker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await pool.close()
    }
}

/// The handlers and leader tasks that `herald work` and `herald run` register.
enum HandlerCatalog {
    static func handlers(pool: PostgresPool, logger: Logger) -> [any JobHandler] {
        DiagnosticHandlers.all(logger: logger)
            + DiscussionHandlers.fromProcessEnvironment(pool: pool, logger: logger)
    }

    static func periodicTasks(logger: Logger) -> [any PeriodicTask] { [] }
}
