import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Testing

/// `HERALD_DATABASE_POOLER` and `HERALD_DIRECT_DATABASE_URL` as `herald` processes read them.
@Suite("Pooler settings from the environment")
struct PoolerSettingsCLITests {
    private static func herald(_ arguments: [String], _ environment: [String: String]) async throws -> (status: Int32, output: String) {
        let log = ProcessTests.logPath("pooler")
        defer { try? FileManager.default.removeItem(atPath: log) }
        var full = ProcessInfo.processInfo.environment
        full["HERALD_SANDBOX"] = "1"
        for (key, value) in environment { full[key] = value }
        let child = try TestProcess.spawn(try TestProcess.heraldBinary(), arguments, environment: full, stdout: .file(log), stderr: .file(log))
        let status = await child.exitStatus()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func anUnknownModeAndAMissingDirectURLAreClearErrors() async throws {
        let url = "postgres://postgres:secret-password@127.0.0.1:1/nowhere"
        let unknown = try await Self.herald(["work"], ["HERALD_DATABASE_URL": url, "HERALD_DATABASE_POOLER": "statement"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("HERALD_DATABASE_POOLER=statement is not a pooler mode"), "\(unknown.output)")
        for command in ["work", "run", "migrate"] {
            let missing = try await Self.herald([command], [
                "HERALD_DATABASE_URL": url, "HERALD_DATABASE_POOLER": "transaction", "HERALD_DIRECT_DATABASE_URL": "",
            ])
            #expect(missing.status != 0)
            #expect(missing.output.contains("HERALD_DATABASE_POOLER=transaction needs HERALD_DIRECT_DATABASE_URL"), "\(command): \(missing.output)")
            #expect(!missing.output.contains("secret-password"))
        }
    }

    @Test func migrateGoesToTheDirectURL() async throws {
        try await withTestDatabase("pooledmigrate") { db in
            let sql = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("sql").path
            // The pooled URL leads nowhere: only the direct one can have answered.
            let result = try await Self.herald(["migrate", "--sql-dir", sql], [
                "HERALD_DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere", "HERALD_DATABASE_POOLER": "transaction",
                "HERALD_DIRECT_DATABASE_URL": db.configuration.connectionString,
            ])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("schema is up to date"), "\(result.output)")
        }
    }
}
