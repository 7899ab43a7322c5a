import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// The connection settings read from the environment, as `herald` processes see them.
@Suite("Connection settings from the environment")
struct ConnectionSettingsCLITests {
    /// Runs `herald ARGS` with `extra` in the environment; returns the exit status and the output.
    private static func herald(_ db: TestDatabase, _ arguments: [String], extra: [String: String]) async throws -> (status: Int32, output: String) {
        let log = ProcessTests.logPath("settings")
        defer { try? FileManager.default.removeItem(atPath: log) }
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = db.configuration.connectionString
        environment["HERALD_SANDBOX"] = "1"
        for (key, value) in extra { environment[key] = value }
        let child = try TestProcess.spawn(try TestProcess.heraldBinary(), arguments, environment: environment,
                                           stdout: .file(log), stderr: .file(log))
        let status = await child.exitStatus()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func aBadValueStopsTheCommandWithTheVariableNamed() async throws {
        try await withTestDatabase("badsettings") { db in
            let keepalive = try await Self.herald(db, ["jobs", "list"], extra: ["HERALD_DB_KEEPALIVES_IDLE": "-1"])
            #expect(keepalive.status != 0)
            #expect(keepalive.output.contains("HERALD_DB_KEEPALIVES_IDLE=-1 is not a non-negative whole number"))
            let timeout = try await Self.herald(db, ["jobs", "list"], extra: ["HERALD_DB_TCP_USER_TIMEOUT_MS": "30s"])
            #expect(timeout.output.contains("HERALD_DB_TCP_USER_TIMEOUT_MS=30s is not a non-negative whole number"))
            let statement = try await Self.herald(db, ["work"], extra: ["HERALD_STATEMENT_TIMEOUT_SECONDS": "soon"])
            #expect(statement.status != 0)
            #expect(statement.output.contains("HERALD_STATEMENT_TIMEOUT_SECONDS=soon is not a number of seconds"))
        }
    }

    @Test func theWorkersStatementTimeoutStopsAClaimStuckBehindALock() async throws {
        try await withTestDatabase("stmttimeout") { db in
            // An admin holds herald_jobs locked: every claim waits for the lock.
            let admin = try await db.connect()
            try await admin.execute("BEGIN; LOCK TABLE herald_jobs IN ACCESS EXCLUSIVE MODE")
            let log = ProcessTests.logPath("stmttimeout")
            defer { try? FileManager.default.removeItem(atPath: log) }
            let worker = try ProcessTests.startWorker(
                db, log: log, arguments: ["--no-maintenance", "--poll-interval-ms", "200"],
                extra: ["HERALD_STATEMENT_TIMEOUT_SECONDS": "0.3"])
            defer { worker.killIfRunning() }
            // Without a statement timeout the claim would wait for as long as the lock is held.
            let stopped = await eventually {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return text.contains("claim failed") && text.contains("57014")
            }
            #expect(stopped, "no claim was cancelled: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            try await admin.execute("ROLLBACK")
            // With the lock gone the worker claims and runs jobs as usual.
            let pool = db.pool(maximumConnections: 1)
            let id = try await JobQueue(pool: pool).enqueue(JobRequest(kind: "herald.noop"))
            #expect(await eventually { try await jobState(pool, id) == "completed" })
            worker.send(SIGTERM)
            #expect(await worker.exitStatus() == 0)
            await pool.close()
            await admin.close()
        }
    }
}
