import Foundation
import HeraldTestSupport
import Logging
import Postgres
import Queue
import Synchronization
import Testing

/// A silent network (issue 11): the leader's connection stays open but nothing crosses it, as in
/// a partition or a half-open connection. The proxy swallows bytes without closing anything, so
/// neither side sees an error; only the lease and the listener's ping can tell.
@Suite("Silent partitions")
struct PartitionFailoverTests {
    @Test func anotherWorkerLeadsWithinTheLeaseAfterTheLeaderIsPartitionedOff() async throws {
        try await withTestDatabase("partition") { db in
            let proxy = try FaultProxy(targetPort: try FaultProxy.port(of: db.configuration))
            defer { proxy.close() }
            let lease = Duration.seconds(3)
            var configuration = testConfiguration()
            configuration.leaderLease = lease
            let proxied = try FaultProxy.configuration(db.configuration, port: proxy.port)
            let capture = CapturingLogHandler()
            capture.logLevel = .notice
            try await withWorker(db, registry: JobHandlerRegistry(), configuration: configuration, connection: proxied,
                                 logger: capture.logger("partitioned")) { partitioned, _ in
                try #require(await eventually { partitioned.isLeader })
                var otherConfiguration = configuration
                otherConfiguration.workerID = WorkerConfiguration.defaultWorkerID()
                try await withWorker(db, registry: JobHandlerRegistry(), configuration: otherConfiguration) { other, pool in
                    try await Task.sleep(for: .milliseconds(500))
                    try #require(!other.isLeader, "the second worker took the lead from a live leader")

                    let start = ContinuousClock.now
                    proxy.partition()
                    // Sample both views until the other leads: never two leaders at once.
                    var both = 0
                    var stoppedAt: Duration?
                    let took = await eventually(timeout: .seconds(30)) {
                        let (a, b) = (partitioned.isLeader, other.isLeader)
                        if a && b { both += 1 }
                        if !a && stoppedAt == nil { stoppedAt = ContinuousClock.now - start }
                        return b
                    }
                    let failover = ContinuousClock.now - start
                    print("partition failover: the partitioned leader stopped after \(stoppedAt.map { "\($0)" } ?? "-"), the other led after \(failover) (lease \(lease))")
                    #expect(took, "no other worker led within 30 s × load after the leader went silent")
                    #expect(both == 0, "both workers believed they led at once (\(both) samples)")
                    #expect(!partitioned.isLeader)
                    // In the database, not only in the worker's mind. (Not filtered on expiry: on a
                    // busy machine this query can come after a late renewal; the partitioned worker
                    // cannot have written the row since, so it is the other's.)
                    let holder = try await pool.query("SELECT leader_id FROM herald_leader")
                    #expect(try holder.first?.decode(String.self, at: 0) == other.workerID)
                    // Within the lease and one attempt interval, with room for a loaded machine.
                    #expect(failover < (lease + lease / 3 + .seconds(2)) * testLoadFactor, "failover took \(failover)")
                }
                // Let the partitioned worker's hung statements fail so it can shut down.
                proxy.close()
            }
            #expect(capture.lines.contains { $0.message.hasPrefix("leader lease ran out") || $0.message == "leader connection lost" },
                    "the partitioned leader did not say it stopped leading: \(capture.lines.map(\.message))")
        }
    }

    @Test func aListenerWhoseConnectionGoesSilentReconnectsAndHearsNotificationsAgain() async throws {
        try await withTestDatabase("silentlisten") { db in
            let proxy = try FaultProxy(targetPort: try FaultProxy.port(of: db.configuration))
            defer { proxy.close() }
            let listener = PostgresListener(
                configuration: try FaultProxy.configuration(db.configuration, port: proxy.port), channels: ["silent_test"],
                pingInterval: .milliseconds(300))
            let events = Recorder<PostgresListenerEvent>()
            let consumer = Task {
                for await event in listener.events() { events.append(event) }
            }
            defer { consumer.cancel() }
            try #require(await eventually { events.all.contains(.listening) })

            proxy.partition()
            proxy.heal()  // new connections work; the listener's old one stays silent
            let direct = db.pool(maximumConnections: 1)
            let start = ContinuousClock.now
            #expect(await eventually { events.all.filter { $0 == .listening }.count == 2 },
                    "the listener never noticed that its connection went silent")
            print("silent listener reconnected after \(ContinuousClock.now - start) (ping every 300 ms)")
            try await direct.withConnection { try await $0.notify(channel: "silent_test", payload: "after") }
            #expect(await eventually {
                events.all.contains { if case .notification(let note) = $0 { note.payload == "after" } else { false } }
            })
            await direct.close()
        }
    }
}
