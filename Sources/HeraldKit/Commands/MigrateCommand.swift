import ArgumentParser
import Foundation
import Postgres

/// `herald migrate`: applies `sql/NNN_*.sql` in order, once each.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the SQL migrations in sql/ (each once, in order, under an advisory lock).",
        discussion: "Several processes may run this at once: each file is applied exactly once.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "List applied and pending migrations instead of applying them.")
    var status = false

    @Option(name: .long, help: "Directory of the migration files (env HERALD_SQL_DIR, default ./sql).")
    var sqlDir: String?

    func run() async throws {
        let logger = try global.makeLogger("herald.migrate")
        let directory = sqlDir ?? Migrator.defaultDirectory(explicit: Settings.process.string("HERALD_SQL_DIR"))
        let migrator = Migrator(migrations: try Migrator.load(directory: directory), logger: logger)
        // The advisory lock that serialises concurrent runs is a session lock: direct, never through a transaction pooler.
        let configuration = try global.databaseEndpoints(applicationName: "herald migrate", needsSession: true).session
        try await withDatabaseConnection(configuration, logger: logger) { connection in
            try await run(migrator, on: connection)
        }
    }

    private func run(_ migrator: Migrator, on connection: PostgresConnection) async throws {
        if status {
            for entry in try await migrator.status(on: connection) {
                let state = entry.appliedAt.map { "applied \(PostgresTimestamp.format($0))" } ?? "pending"
                let warning = entry.checksumMismatch ? "  (file changed since it was applied)" : ""
                print("\(entry.migration.name)  \(state)\(warning)")
            }
            return
        }
        let applied = try await migrator.migrate(on: connection)
        if applied.isEmpty {
            print("schema is up to date (\(migrator.migrations.count) migrations)")
        } else {
            for migration in applied { print("applied \(migration.name)") }
        }
    }
}
