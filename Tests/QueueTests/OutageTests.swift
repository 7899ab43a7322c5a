import Foundation
import HeraldTestSupport
import Logging
import Postgres
import Queue
import Testing

/// A worker cut off from PostgreSQL for longer than its lease (issue 11): outcomes of jobs that
/// finished meanwhile are written when the database answers again, jobs still running are not
/// taken back and run a second time, and the logs say each thing once.
@Suite("Database outages")
struct OutageTests {
    @Test func anOutageLongerThanTheLeaseLosesNoOutcomeAndRerunsNoLiveJob() async throws {
        try await withTestDatabase("outage") { db in
            let proxy = try FaultProxy(targetPort: try FaultProxy.port(of: db.configuration))
            defer { proxy.close() }
            let direct = db.pool(maximumConnections: 2)
            let early = Gate(), late = Gate()
            defer {
                early.open()
                late.open()
            }
            let runs = Recorder<Int64>()
            var registry = JobHandlerRegistry()
            registry.register("early") { job in
                runs.append(job.id)
                while !early.isOpen { try await Task.sleep(for: .milliseconds(20)) }
                return .completed
            }
            registry.register("late") { job in
                runs.append(job.id)
                while !late.isOpen { try await Task.sleep(for: .milliseconds(20)) }
                return .completed
            }
            var configuration = testConfiguration(queues: ["default": 10])
            configuration.lease = .seconds(6)
            configuration.rescueGraceAfterLeading = .seconds(5)
            configuration.leaderLease = .seconds(6)  // renewed every 2 s: the outage interrupts it
            let capture = CapturingLogHandler()
            capture.logLevel = .notice
            let proxied = try FaultProxy.configuration(db.configuration, port: proxy.port)
            try await withWorker(db, registry: registry, configuration: configuration, connection: proxied,
                                 logger: capture.logger("outage")) { worker, _ in
                let queue = JobQueue(pool: direct)
                try await queue.enqueueMany((0..<3).map { _ in JobRequest(kind: "early") } + (0..<3).map { _ in JobRequest(kind: "late") })
                try #require(await eventually { try await count(direct, state: "running") == 6 })
                try #require(await eventually { worker.isLeader })

                proxy.cutOff()
                early.open()  // three jobs finish while the database cannot be reached
                try await Task.sleep(for: configuration.lease + .seconds(2))
                #expect(try await Self.expiredLeases(direct) == 6, "the outage did not outlast the leases")
                proxy.restore()

                #expect(await eventually(timeout: .seconds(60)) { try await count(direct, state: "completed", kind: "early") == 3 })
                // Once this process leads again and its grace period is over, the rescuer runs: the
                // late jobs must still be running here, renewed, not taken back.
                try #require(await eventually(timeout: .seconds(60)) { worker.isLeader })
                try await Task.sleep(for: configuration.rescueGraceAfterLeading + .seconds(2))
                #expect(try await count(direct, state: "running", kind: "late") == 3)
                #expect(try await Self.expiredLeases(direct) == 0)
                late.open()
                #expect(await eventually { try await count(direct, state: "completed", kind: "late") == 3 })
            }
            // Six jobs, six runs, no retry, no rescue.
            #expect(runs.count == 6 && Set(runs.all).count == 6, "runs: \(runs.all)")
            let rows = try await direct.query("SELECT attempt, errors::text FROM herald_jobs ORDER BY id")
            for row in rows {
                #expect(try row.decode(Int.self, at: 0) == 1)
                #expect(try row.decode(String.self, at: 1) == "[]")
            }
            // Each thing said once: not every retry.
            let messages = capture.lines.map(\.message)
            #expect(messages.filter { $0.hasPrefix("could not record job outcomes") }.count == 1, "\(messages)")
            #expect(messages.filter { $0.hasPrefix("recorded job outcomes again") }.count == 1, "\(messages)")
            #expect(messages.filter { $0.hasPrefix("heartbeat failed") }.count <= 1, "\(messages)")
            // Once for the outage, not at every failed renewal (four in 8 s); a busy machine may
            // stall a renewal past the lease once more.
            #expect((1...2).contains(messages.filter(Self.saysItLostTheLead).count), "\(messages)")
            await direct.close()
        }
    }

    @Test func onlyTheLeaderSaysItLostTheLeaderConnection() async throws {
        try await withTestDatabase("leaderlog") { db in
            let proxy = try FaultProxy(targetPort: try FaultProxy.port(of: db.configuration))
            defer { proxy.close() }
            let leaderLog = CapturingLogHandler(), followerLog = CapturingLogHandler()
            var followerLinesDuringOutage: [String] = []
            let proxied = try FaultProxy.configuration(db.configuration, port: proxy.port)
            // Renewed every 2 s, so the cut below interrupts renewals and outlasts the lease.
            var configuration = testConfiguration()
            configuration.leaderLease = .seconds(6)
            try await withWorker(db, registry: JobHandlerRegistry(), configuration: configuration, connection: proxied,
                                 logger: leaderLog.logger("leader")) { leader, _ in
                try #require(await eventually { leader.isLeader })
                var followerConfiguration = configuration
                followerConfiguration.workerID = WorkerConfiguration.defaultWorkerID()
                try await withWorker(db, registry: JobHandlerRegistry(), configuration: followerConfiguration, connection: proxied,
                                     logger: followerLog.logger("follower")) { follower, _ in
                    // The follower has tried for the lead at least once.
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(!follower.isLeader)
                    proxy.cutOff()
                    try await Task.sleep(for: .seconds(8))
                    #expect(!leader.isLeader && !follower.isLeader, "no one can lead without the database")
                    // After the restore the follower may win the lead (and, on a busy machine, lose
                    // it again and say so): only what it said while it never led counts.
                    followerLinesDuringOutage = followerLog.lines.map(\.message)
                    proxy.restore()
                    #expect(await eventually { leader.isLeader || follower.isLeader })
                }
            }
            // One of the two, depending on whether a renewal failed or the lease ran out first.
            #expect((1...2).contains(leaderLog.lines.map(\.message).filter(Self.saysItLostTheLead).count), "\(leaderLog.lines.map(\.message))")
            #expect(followerLinesDuringOutage.filter(Self.saysItLostTheLead).isEmpty, "\(followerLinesDuringOutage)")
        }
    }

    /// The leader's two ways of saying it stopped leading.
    static func saysItLostTheLead(_ message: String) -> Bool {
        message == "leader connection lost" || message.hasPrefix("leader lease ran out")
    }

    static func expiredLeases(_ pool: PostgresPool) async throws -> Int {
        try #require(try await pool.query("SELECT count(*) FROM herald_jobs WHERE state = 'running' AND lease_expires_at < now()").first)
            .decode(Int.self, at: 0)
    }
}
