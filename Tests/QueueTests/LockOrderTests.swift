import Foundation
import HeraldTestSupport
import Logging
import Postgres
import Queue
import Synchronization
import Testing

/// Lock order and lease ownership (issue 11): the heartbeat, the group commit and the other
/// multi-row updates of `herald_jobs` never deadlock each other, and rows a claim committed under
/// a worker's id without the worker ever seeing them are given back within one lease.
@Suite("Lock order and lease ownership")
struct LockOrderTests {
    /// Several workers with a short lease (so the heartbeat runs every few hundred ms, over the
    /// same rows the group commit is completing) work through a large batch. PostgreSQL must
    /// detect no deadlock: not in `pg_stat_database.deadlocks`, and no worker logs one.
    @Test func fourWorkersWithAShortLeaseNeverDeadlock() async throws {
        try await withTestDatabase("deadlock") { db in
            let setup = db.pool(maximumConnections: 2)
            let jobs = 40_000
            #expect(try await JobQueue(pool: setup).enqueueMany((0..<jobs).map { _ in JobRequest(kind: "tick") }) == jobs)
            var registry = JobHandlerRegistry()
            registry.register("tick") { _ in
                // Spread completions out, so heartbeats and group commits overlap all the time.
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...150)))
                return .completed
            }
            let capture = CapturingLogHandler()
            capture.logLevel = .warning
            let before = try await Self.deadlocks(setup)
            let done = try await Self.withWorkers(4, db, registry: registry, logger: capture.logger("deadlock")) {
                await eventually(timeout: .seconds(600)) { try await count(setup, state: "completed") == jobs }
            }
            #expect(done)
            let logged = capture.lines.filter { "\($0.message) \($0.metadata)".contains("deadlock") }
            #expect(logged.isEmpty, "workers logged deadlocks: \(logged.prefix(3).map { "\($0.message) \($0.metadata)" })")
            // Every worker connection is closed now, so each backend has flushed its statistics.
            try await Task.sleep(for: .seconds(1))
            let after = try await Self.deadlocks(setup)
            #expect(after - before == 0, "PostgreSQL detected \(after - before) deadlock(s)")
            await setup.close()
        }
    }

    /// A claim commits, and the connection breaks before its rows reach the worker (a proxy
    /// drops the answer). The worker keeps a long job running the whole time, so its heartbeat
    /// keeps beating; the lost rows must still be back and done within one lease.
    @Test func aLostClaimAnswerIsRecoveredWithinOneLeaseWhileTheWorkerStaysBusy() async throws {
        try await withTestDatabase("lostclaim") { db in
            let proxy = try FaultProxy(targetPort: try FaultProxy.port(of: db.configuration))
            defer { proxy.close() }
            let direct = db.pool(maximumConnections: 2)
            let gate = Gate()
            defer { gate.open() }
            let runs = Recorder<Int64>()
            var registry = JobHandlerRegistry()
            registry.register("busy") { _ in
                while !gate.isOpen { try await Task.sleep(for: .milliseconds(20)) }
                return .completed
            }
            registry.register("lost") { job in
                runs.append(job.id)
                return .completed
            }
            var configuration = testConfiguration(queues: ["default": 10])
            // Ten seconds on a quiet machine, more on a loaded one: each step of the recovery is a
            // database round trip, and the claim is about one lease, not about speed.
            let lease = Duration.seconds(10) * testLoadFactor
            configuration.lease = lease
            let queue = JobQueue(pool: direct)
            let proxied = try FaultProxy.configuration(db.configuration, port: proxy.port)
            let recovery = try await withWorker(db, registry: registry, configuration: configuration, connection: proxied) { worker, _ in
                let busy = try await queue.enqueue(JobRequest(kind: "busy"))
                try #require(await eventually { try await jobState(direct, busy) == "running" })
                proxy.armClaimDrop()
                try await queue.enqueueMany((0..<3).map { _ in JobRequest(kind: "lost") })
                try #require(await eventually(timeout: .seconds(60)) { proxy.droppedAt != nil }, "the proxy never saw a claim to drop")
                let droppedAt = try #require(proxy.droppedAt)
                // Poll finely: the time to recovery is reported.
                var recovered = false
                while ContinuousClock.now - droppedAt < lease * 2 {
                    if (try? await count(direct, state: "completed", kind: "lost")) == 3 {
                        recovered = true
                        break
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                let recovery = ContinuousClock.now - droppedAt
                #expect(recovered, "the lost claim's jobs were not done \(lease * 2) after the drop")
                #expect(recovery < lease, "recovered after \(recovery), more than one lease (\(lease))")
                // The worker was busy all along: its long job still runs under its id.
                let holder = try await direct.query("SELECT state, locked_by FROM herald_jobs WHERE id = $1", [busy])
                let row = try #require(holder.first)
                #expect(try row.decode(String.self, at: 0) == "running")
                #expect(try row.decode(String?.self, at: 1) == worker.workerID)
                gate.open()
                #expect(await eventually { try await jobState(direct, busy) == "completed" })
                return recovery
            }
            print("lost claim answer recovered after \(recovery) (lease \(lease))")
            // Each lost job ran exactly once, and its attempt was given back (it never started).
            #expect(runs.all.count == 3 && Set(runs.all).count == 3)
            let lost = try await direct.query("SELECT attempt, jsonb_array_length(errors) FROM herald_jobs WHERE kind = 'lost'")
            #expect(lost.count == 3)
            #expect(try lost.allSatisfy { try $0.decode(Int.self, at: 0) == 1 && $0.decode(Int.self, at: 1) == 0 })
            await direct.close()
        }
    }

    /// Runs `count` workers, each with its own id, a 300 ms lease (a heartbeat every 100 ms) and
    /// 300 jobs at once.
    static func withWorkers<T: Sendable>(
        _ count: Int, _ db: TestDatabase, registry: JobHandlerRegistry, logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        guard count > 0 else { return try await body() }
        var configuration = testConfiguration(queues: ["default": 300])
        configuration.lease = .milliseconds(300)
        configuration.claimBatchSize = 100
        return try await withWorker(db, registry: registry, configuration: configuration, logger: logger) { _, _ in
            try await withWorkers(count - 1, db, registry: registry, logger: logger, body)
        }
    }

    static func deadlocks(_ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { connection in
            try await connection.query("SELECT pg_stat_clear_snapshot()")
            let rows = try await connection.query("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            return try #require(rows.first).decode(Int.self, at: 0)
        }
    }
}

/// Opens once; handlers poll it.
final class Gate: Sendable {
    private let opened = Atomic<Bool>(false)
    var isOpen: Bool { opened.load(ordering: .relaxed) }
    func open() { opened.store(true, ordering: .relaxed) }
}
