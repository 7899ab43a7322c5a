import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Testing

@Suite("herald migrate")
struct MigrationTests {
    /// An empty database (not cloned from the migrated template).
    static func emptyDatabase() async throws -> (name: String, configuration: PostgresConfiguration) {
        let admin = try TestDatabase.adminConfiguration()
        let name = "t_empty_\(UUID().uuidString.prefix(8).lowercased())"
        let connection = try await PostgresConnection.connect(configuration: admin)
        try await connection.execute("CREATE DATABASE \(name) TEMPLATE template0")
        await connection.close()
        return (name, admin.withDatabase(name))
    }

    static func drop(_ name: String) async throws {
        let connection = try await PostgresConnection.connect(configuration: try TestDatabase.adminConfiguration())
        try await connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await connection.close()
    }

    @Test func fourConcurrentProcessesApplyEachFileOnce() async throws {
        let binary = try TestProcess.heraldBinary()
        let (name, configuration) = try await Self.emptyDatabase()
        let expected = try Migrator.load(directory: Migrator.defaultDirectory())
        #expect(!expected.isEmpty)
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = configuration.connectionString
        environment["HERALD_LOG_LEVEL"] = "warning"
        let children = try (0..<4).map { _ in
            try TestProcess.spawn(binary, ["migrate"], environment: environment, stdout: .null)
        }
        var statuses: [Int32] = []
        for child in children { statuses.append(await child.exitStatus()) }
        #expect(statuses == [0, 0, 0, 0])

        let connection = try await PostgresConnection.connect(configuration: configuration)
        let rows = try await connection.query("SELECT version, name FROM herald_schema_migrations ORDER BY version")
        #expect(try rows.map { try $0.decode(Int.self, at: 0) } == expected.map(\.version))
        #expect(try rows.map { try $0.decode(String.self, at: 1) } == expected.map(\.name))
        // Applying again is a no-op.
        let again = try await Migrator(migrations: expected).migrate(on: connection)
        #expect(again.isEmpty)
        let status = try await Migrator(migrations: expected).status(on: connection)
        #expect(status.allSatisfy { $0.appliedAt != nil && !$0.checksumMismatch })
        await connection.close()
        try await Self.drop(name)
    }

    @Test func aFailingMigrationRollsBackAndIsNotRecorded() async throws {
        let (name, configuration) = try await Self.emptyDatabase()
        let migrations = [
            Migration(version: 1, name: "001_ok.sql", sql: "CREATE TABLE ok_table (id int);"),
            Migration(version: 2, name: "002_bad.sql", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();"),
        ]
        let connection = try await PostgresConnection.connect(configuration: configuration)
        let error = try await #require(throws: PostgresError.self) {
            try await Migrator(migrations: migrations).migrate(on: connection)
        }
        #expect(error.message.contains("002_bad.sql"))
        let recorded = try await connection.query("SELECT version FROM herald_schema_migrations")
        #expect(try recorded.map { try $0.decode(Int.self, at: 0) } == [1])
        let halfDone = try await connection.query("SELECT to_regclass('half_done') IS NULL AS gone")
        #expect(try halfDone[0].decode(Bool.self, at: 0))
        let status = try await Migrator(migrations: migrations).status(on: connection)
        #expect(status.map { $0.appliedAt != nil } == [true, false])
        await connection.close()
        try await Self.drop(name)
    }

    @Test func statusCommandListsAppliedAndPending() async throws {
        let binary = try TestProcess.heraldBinary()
        let (name, configuration) = try await Self.emptyDatabase()
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = configuration.connectionString
        let log = NSTemporaryDirectory() + "herald-status-\(UUID().uuidString).txt"
        let child = try TestProcess.spawn(binary, ["migrate", "--status"], environment: environment, stdout: .file(log))
        #expect(await child.exitStatus() == 0)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("pending"))
        #expect(!output.contains("applied 20"))
        try? FileManager.default.removeItem(atPath: log)
        try await Self.drop(name)
    }

    @Test func missingDatabaseURLGivesAClearMessage() async throws {
        let binary = try TestProcess.heraldBinary()
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = nil
        environment["DATABASE_URL"] = nil
        let log = NSTemporaryDirectory() + "herald-nodb-\(UUID().uuidString).txt"
        let child = try TestProcess.spawn(binary, ["migrate"], environment: environment, stdout: .file(log), stderr: .file(log))
        #expect(await child.exitStatus() != 0)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("HERALD_DATABASE_URL"))
        try? FileManager.default.removeItem(atPath: log)
    }
}
