import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// Real `herald work` processes: crash safety and exactly-once across processes.
@Suite("Worker processes", .serialized)
struct ProcessTests {
    static func startWorker(_ db: TestDatabase, log: String, arguments: [String], extra: [String: String] = [:]) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = db.configuration.connectionString
        environment["HERALD_LOG_FORMAT"] = "json"
        environment["HERALD_SANDBOX"] = "1"  // no provider credentials needed for these job kinds
        for (key, value) in extra { environment[key] = value }
        return try TestProcess.spawn(try TestProcess.heraldBinary(), ["work"] + arguments, environment: environment, stdout: .file(log), stderr: .file(log))
    }

    static func logPath(_ name: String) -> String { NSTemporaryDirectory() + "herald-\(name)-\(UUID().uuidString).log" }

    @Test func fourProcessesRunTenThousandJobsExactlyOnce() async throws {
        try await withTestDatabase("fourproc") { db in
            let pool = db.pool()
            let requests = (0..<10_000).map { _ in JobRequest(kind: "herald.noop") }
            #expect(try await JobQueue(pool: pool).enqueueMany(requests) == 10_000)
            let logs = (0..<4).map { Self.logPath("worker\($0)") }
            let workers = try logs.map {
                try Self.startWorker(db, log: $0, arguments: ["--queues", "default:50", "--claim-batch", "100", "--log-level", "debug"])
            }
            defer { workers.forEach { $0.killIfRunning() } }  // on every way out, a failed wait included
            let done = await eventually(timeout: .seconds(120)) { try await count(pool, state: "completed") == 10_000 }
            for worker in workers { worker.send(SIGTERM) }
            for worker in workers { #expect(await worker.exitStatus() == 0) }
            #expect(done)
            // Every job ran once: one "noop job ran" line per id across the four logs.
            var runs: [Int64: Int] = [:]
            var perWorker: [Int] = []
            for log in logs {
                let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                var mine = 0
                for line in lines where line.contains("\"noop job ran\"") {
                    guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          let idText = object["job.id"] as? String, let id = Int64(idText) else { continue }
                    runs[id, default: 0] += 1
                    mine += 1
                }
                perWorker.append(mine)
                try? FileManager.default.removeItem(atPath: log)
            }
            #expect(runs.count == 10_000)
            #expect(runs.values.allSatisfy { $0 == 1 })
            #expect(perWorker.filter { $0 > 0 }.count >= 2, "work should spread over processes: \(perWorker)")
            let retried = try await pool.query("SELECT count(*) FROM herald_jobs WHERE attempt <> 1 OR errors <> '[]'")[0].decode(Int.self, at: 0)
            #expect(retried == 0)
            await pool.close()
        }
    }

    @Test func sigkillMidBatchLosesNoJob() async throws {
        try await withTestDatabase("sigkill") { db in
            let pool = db.pool()
            // 2 s each: the victim needs at least 6 s for all 60, so the SIGKILL lands mid-batch even
            // when a busy machine delays this test between seeing jobs running and sending it.
            let requests = (0..<60).map { _ in JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": 2000}"#)) }
            try await JobQueue(pool: pool).enqueueMany(requests)
            let victimLog = Self.logPath("victim")
            let victim = try Self.startWorker(db, log: victimLog, arguments: ["--queues", "default:20", "--lease-seconds", "1"])
            defer { victim.killIfRunning() }
            #expect(await eventually { try await count(pool, state: "running") >= 10 })
            victim.send(SIGKILL)
            #expect(await victim.exitStatus() == 128 + SIGKILL)
            let held = try await pool.query("SELECT id FROM herald_jobs WHERE state = 'running'").map { try $0.decode(Int64.self, at: 0) }
            #expect(!held.isEmpty)

            let rescuerLog = Self.logPath("rescuer")
            let rescuer = try Self.startWorker(db, log: rescuerLog, arguments: ["--queues", "default:40", "--lease-seconds", "1"])
            defer { rescuer.killIfRunning() }
            let allDone = await eventually(timeout: .seconds(60)) { try await count(pool, state: "completed") == 60 }
            rescuer.send(SIGTERM)
            #expect(await rescuer.exitStatus() == 0)
            #expect(allDone)
            let rescued = try await pool.query(
                "SELECT count(*) FROM herald_jobs WHERE id = ANY($1) AND attempt = 2 AND errors->0->>'error' LIKE 'lease expired%'", [held]
            )[0].decode(Int.self, at: 0)
            #expect(rescued == held.count)
            try? FileManager.default.removeItem(atPath: victimLog)
            try? FileManager.default.removeItem(atPath: rescuerLog)
            await pool.close()
        }
    }

    @Test func sigtermFinishesInFlightJobsAndLeavesNothingRunning() async throws {
        try await withTestDatabase("sigterm") { db in
            let pool = db.pool()
            let queue = JobQueue(pool: pool)
            try await queue.enqueueMany((0..<5).map { _ in JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": 1500}"#)) })
            try await queue.enqueueMany((0..<20).map { _ in JobRequest(kind: "herald.noop", priority: 3) })
            let log = Self.logPath("sigterm")
            let worker = try Self.startWorker(db, log: log, arguments: ["--queues", "default:5", "--claim-batch", "5"])
            defer { worker.killIfRunning() }
            #expect(await eventually { try await count(pool, state: "running") == 5 })
            worker.send(SIGTERM)
            let status = await worker.exitStatus()
            #expect(status == 0)
            #expect(try await count(pool, state: "running") == 0)
            // The five in-flight sleeps finished; nothing new was claimed after SIGTERM.
            #expect(try await count(pool, state: "completed", kind: "herald.sleep") == 5)
            #expect(try await count(pool, state: "available", kind: "herald.noop") == 20)
            try? FileManager.default.removeItem(atPath: log)
            await pool.close()
        }
    }

    @Test func sigtermPastTheGracePeriodReleasesUnfinishedJobs() async throws {
        try await withTestDatabase("grace") { db in
            let pool = db.pool()
            try await JobQueue(pool: pool).enqueueMany((0..<3).map { _ in JobRequest(kind: "herald.sleep", args: PostgresJSON(#"{"ms": 30000}"#)) })
            let log = Self.logPath("grace")
            let worker = try Self.startWorker(db, log: log, arguments: ["--queues", "default:3", "--shutdown-grace-seconds", "0.5"])
            defer { worker.killIfRunning() }
            #expect(await eventually { try await count(pool, state: "running") == 3 })
            worker.send(SIGTERM)
            #expect(await worker.exitStatus() == 0)
            #expect(try await count(pool, state: "running") == 0)
            // Released, not failed: available again with the attempt given back.
            let rows = try await pool.query("SELECT state, attempt FROM herald_jobs")
            #expect(try rows.allSatisfy { try $0.decode(String.self, at: 0) == "available" && $0.decode(Int.self, at: 1) == 0 })
            try? FileManager.default.removeItem(atPath: log)
            await pool.close()
        }
    }
}
