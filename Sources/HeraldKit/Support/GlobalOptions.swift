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

    /// Sets up swift-log once per process and returns a logger for `label`: `--log-level`, then
    /// `HERALD_LOG_LEVEL`, default `info`; `--log-format`, then `HERALD_LOG_FORMAT`, default `text`.
    func makeLogger(_ label: String, settings: Settings = .process) throws -> Logger {
        let levelText = (logLevel ?? settings.string("HERALD_LOG_LEVEL") ?? "info").lowercased()
        guard let level = Logger.Level(rawValue: levelText) else {
            let source = logLevel == nil ? "HERALD_LOG_LEVEL" : "--log-level"
            throw ValidationError("unknown log level '\(levelText)' (\(source)): use trace, debug, info, notice, warning, error or critical")
        }
        let format = (logFormat ?? settings.string("HERALD_LOG_FORMAT") ?? "text").lowercased()
        guard format == "text" || format == "json" else {
            let source = logFormat == nil ? "HERALD_LOG_FORMAT" : "--log-format"
            throw ValidationError("unknown log format '\(format)' (\(source)): use text or json")
        }
        LoggingSetup.bootstrapOnce(json: format == "json", level: level)
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// The database configuration, or a message saying how to set it: the URL (`--database-url`,
    /// then `HERALD_DATABASE_URL`, then `DATABASE_URL`) plus the connection tuning
    /// (`HERALD_DB_KEEPALIVES_*`, `HERALD_DB_TCP_USER_TIMEOUT_MS`) and the pooler mode.
    func databaseConfiguration(applicationName: String = "herald", settings: Settings = .process) throws -> PostgresConfiguration {
        let flagURL = databaseURL.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        guard let url = flagURL ?? settings.databaseURL else {
            throw ValidationError(
                "no database configured: set HERALD_DATABASE_URL (e.g. postgres://user:pass@localhost:5432/nexus) or pass --database-url")
        }
        // Every command honours the pooler mode, so none sends named statements to a pooler.
        let pooler: PostgresPoolerMode
        do {
            pooler = try poolerMode(settings: settings)
        } catch {
            throw ValidationError(error.message)
        }
        return try settings.validated { try $0.postgres(connectionString: url, applicationName: applicationName, pooler: pooler) }
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
