import ArgumentParser
import Foundation
import Logging
import Postgres
import Synchronization

/// Options every subcommand shares: logging and the database.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env HERALD_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(name: .long, help: "Log format: text or json (JSON lines) (env HERALD_LOG_FORMAT, default text).")
    var logFormat: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (env HERALD_DATABASE_URL, then DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .long, help: "none, or transaction when --database-url is a transaction pooler such as PgBouncer (env HERALD_DATABASE_POOLER, default none).")
    var databasePooler: String?

    @Option(name: .long, help: "Direct PostgreSQL URL for LISTEN, leader election and migrations; required with --database-pooler transaction (env HERALD_DIRECT_DATABASE_URL).")
    var directDatabaseURL: String?

    /// Sets up swift-log once per process and returns a logger for `label`.
    func makeLogger(_ label: String) throws -> Logger {
        let environment = ProcessInfo.processInfo.environment
        let levelText = (logLevel ?? environment["HERALD_LOG_LEVEL"] ?? "info").lowercased()
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("unknown log level '\(levelText)': use trace, debug, info, notice, warning, error or critical")
        }
        let format = (logFormat ?? environment["HERALD_LOG_FORMAT"] ?? "text").lowercased()
        guard format == "text" || format == "json" else {
            throw ValidationError("unknown log format '\(format)': use text or json")
        }
        LoggingSetup.bootstrapOnce(json: format == "json", level: level)
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// The database configuration, or a message saying how to set it: the URL (flag, then
    /// environment) plus the connection tuning from `HERALD_DB_KEEPALIVES_*` and
    /// `HERALD_DB_TCP_USER_TIMEOUT_MS`.
    func databaseConfiguration(
        applicationName: String = "herald", environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresConfiguration {
        var configuration: PostgresConfiguration
        if let databaseURL, !databaseURL.isEmpty {
            configuration = PostgresConfiguration(connectionString: databaseURL, applicationName: applicationName)
        } else if let fromEnvironment = PostgresConfiguration.fromEnvironment(environment, applicationName: applicationName) {
            configuration = fromEnvironment
        } else {
            throw ValidationError(
                "no database configured: set HERALD_DATABASE_URL (e.g. postgres://user:pass@localhost:5432/nexus) or pass --database-url")
        }
        do {
            try configuration.applyEnvironment(environment)
        } catch {
            throw ValidationError(error.message)
        }
        // Every command honours HERALD_DATABASE_POOLER, so none sends named statements to a pooler.
        configuration.pooler = try poolerMode(environment: environment)
        return configuration
    }
}

enum LoggingSetup {
    private static let done = Mutex(false)

    static func bootstrapOnce(json: Bool, level: Logger.Level) {
        let first = done.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
