import DevTools
import Logging
import Postgres

/// Opens one connection for the duration of `body` and closes it afterwards, also on error.
func withDatabaseConnection<T: Sendable>(
    _ configuration: PostgresConfiguration, logger: Logger, _ body: (PostgresConnection) async throws -> T
) async throws -> T {
    let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
    do {
        let value = try await body(connection)
        await connection.close()
        return value
    } catch {
        await connection.close()
        throw error
    }
}

/// Starts a throwaway cluster, creates `database` in it and applies the migrations there.
func startMigratedTemporaryPostgres(
    options: TemporaryPostgres.Options, database: String, sqlDirectory: String? = nil, logger: Logger
) async throws -> TemporaryPostgres {
    let server = try TemporaryPostgres.start(options: options)
    do {
        let migrator = Migrator(migrations: try Migrator.load(directory: sqlDirectory ?? Migrator.defaultDirectory(explicit: Settings.process.string("HERALD_SQL_DIR"))), logger: logger)
        try await withDatabaseConnection(server.configuration, logger: logger) { admin in
            try await admin.execute("CREATE DATABASE \(database)")
        }
        _ = try await withDatabaseConnection(server.configuration(database: database), logger: logger) { connection in
            try await migrator.migrate(on: connection)
        }
        return server
    } catch {
        server.stop()
        throw error
    }
}
