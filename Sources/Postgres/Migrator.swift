public import Foundation
public import Logging

/// One numbered plain-SQL migration file, `NNN_description.sql`.
public struct Migration: Sendable, Hashable {
    /// The number before the first underscore.
    public var version: Int
    /// The file name.
    public var name: String
    /// The file's SQL.
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-free fingerprint (FNV-1a 64) of the SQL, to notice edited files.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

/// What `Migrator.status()` reports per file.
public struct MigrationStatus: Sendable {
    public var migration: Migration
    /// When it was applied; nil while pending.
    public var appliedAt: Date?
    /// True when the file changed after it was applied.
    public var checksumMismatch: Bool
}

/// Applies the numbered SQL files of a directory in order, each in its own transaction, and records
/// them in `herald_schema_migrations`.
///
/// A session-level advisory lock serialises concurrent runs, so several processes starting at once
/// apply each file exactly once. The files are plain SQL, so another migration tool can apply them too.
public struct Migrator: Sendable {
    /// The advisory lock key (`hashtext('herald_schema_migrations')` would also do; a constant is clearer in psql).
    public static let advisoryLockKey: Int64 = 7_482_311_001

    public let migrations: [Migration]
    let logger: Logger

    public init(migrations: [Migration], logger: Logger = Logger(label: "herald.migrate")) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Loads `NNN_*.sql` from `directory` (not its subdirectories). Throws on duplicate numbers.
    public static func load(directory: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(code: .invalidConfiguration, message: "cannot read migrations directory \(directory): set HERALD_SQL_DIR to the project's sql/ folder")
        }
        var seen: [Int: String] = [:]
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let number = name.split(separator: "_").first.flatMap({ Int($0) }) else { continue }
            if let other = seen[number] {
                throw PostgresError(code: .invalidConfiguration, message: "migrations \(other) and \(name) share number \(number)")
            }
            seen[number] = name
            let sql = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            migrations.append(Migration(version: number, name: name, sql: sql))
        }
        return migrations
    }

    /// Finds the `sql/` directory: `explicit` (the executable passes `HERALD_SQL_DIR`), `./sql`,
    /// beside the executable (`../share/herald/sql`), then the source tree this binary was built from.
    public static func defaultDirectory(explicit: String? = nil) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        let fileManager = FileManager.default
        let candidates = [
            fileManager.currentDirectoryPath + "/sql",
            URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
                .appendingPathComponent("../share/herald/sql").standardized.path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("sql").path,
        ]
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
        }
        return candidates[0]
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS herald_schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    /// Applies every pending migration; returns the ones this call applied (empty when up to date).
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.query("SELECT pg_advisory_lock($1)", [Self.advisoryLockKey])
        do {
            let applied = try await applyPending(on: connection)
            try await connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey])
            return applied
        } catch {
            if !connection.isBroken { _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey]) }
            throw error
        }
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.execute(Self.createTable)
        let done = Set(try await connection.query("SELECT version FROM herald_schema_migrations").map { try $0.decode(Int.self, at: 0) })
        var applied: [Migration] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            do {
                try await connection.transaction { connection in
                    try await connection.execute(migration.sql)
                    try await connection.query(
                        "INSERT INTO herald_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, migration.checksum])
                }
            } catch var error as PostgresError {
                error.message = "migration \(migration.name) failed: \(error.message)"
                throw error
            }
            applied.append(migration)
        }
        return applied
    }

    /// Lists every known file with its state; files applied but no longer present are not listed.
    public func status(on connection: PostgresConnection) async throws -> [MigrationStatus] {
        try await connection.execute(Self.createTable)
        var applied: [Int: (Date, String)] = [:]
        for row in try await connection.query("SELECT version, applied_at, checksum FROM herald_schema_migrations") {
            applied[try row.decode(Int.self, at: 0)] = (try row.decode(Date.self, at: 1), try row.decode(String.self, at: 2))
        }
        return migrations.map { migration in
            let record = applied[migration.version]
            return MigrationStatus(
                migration: migration, appliedAt: record?.0, checksumMismatch: record.map { $0.1 != migration.checksum } ?? false)
        }
    }
}
