import Foundation
import HeraldTestSupport
@testable import Postgres
import Synchronization
import Testing

@Suite("TCP keepalives and tcp_user_timeout on every connection")
struct KeepaliveTests {
    @Test func theConnectionStringGetsKeepalivesUnlessItSetsThemItself() {
        let url = PostgresConfiguration(connectionString: "postgres://u:secret@db:5432/app?sslmode=require").libpqConnectionString
        #expect(url.contains("sslmode=require&connect_timeout=10"))
        for parameter in ["keepalives=1", "keepalives_idle=10", "keepalives_interval=5", "keepalives_count=3", "tcp_user_timeout=30000"] {
            #expect(url.contains(parameter))
        }
        let own = PostgresConfiguration(connectionString: "postgres://db/app?keepalives_idle=60").libpqConnectionString
        #expect(own.contains("keepalives_idle=60"))
        #expect(!own.contains("keepalives_idle=10"))
        #expect(own.contains("keepalives=1"))  // `keepalives_idle` is not `keepalives`

        var tuned = PostgresConfiguration(connectionString: "host=db dbname=app keepalives = 0")
        tuned.tcpUserTimeoutMilliseconds = 2_000
        let conninfo = tuned.libpqConnectionString
        #expect(!conninfo.contains("keepalives='1'"))
        #expect(conninfo.contains("keepalives_count='3'"))
        #expect(conninfo.contains("tcp_user_timeout='2000'"))
    }

    @Test func theServerSideOfEveryConnectionProbesTheClientToo() async throws {
        try await withTestDatabase("srvkeep") { db in
            var configuration = db.configuration
            configuration.keepaliveIdleSeconds = 11
            configuration.keepaliveIntervalSeconds = 4
            configuration.keepaliveCount = 6
            configuration.tcpUserTimeoutMilliseconds = 12_345
            let connection = try await PostgresConnection.connect(configuration: configuration)
            let rows = try await connection.query("""
                SELECT name, setting FROM pg_settings
                WHERE name IN ('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout')
                ORDER BY name
                """)
            let settings = try rows.map { try "\($0.decode(String.self, at: 0))=\($0.decode(String.self, at: 1))" }
            #expect(settings == ["tcp_keepalives_count=6", "tcp_keepalives_idle=11", "tcp_keepalives_interval=4", "tcp_user_timeout=12345"])
            await connection.close()
        }
    }

    /// Small values, so a dead peer is noticed in a few seconds.
    private static func fastKeepalives(_ configuration: PostgresConfiguration) -> PostgresConfiguration {
        var copy = configuration
        copy.keepaliveIdleSeconds = 1
        copy.keepaliveIntervalSeconds = 1
        copy.keepaliveCount = 2
        copy.tcpUserTimeoutMilliseconds = 2_000
        return copy
    }

    @Test func aQueryAfterASilentPartitionFailsInsteadOfHanging() async throws {
        try await withTestDatabase("partq") { db in
            let proxy = try PartitionProxy(inFrontOf: db.configuration)
            defer { proxy.close() }  // also ends a query that would hang, so a failure cannot hang the suite
            let connection = try await PostgresConnection.connect(configuration: try proxy.route(Self.fastKeepalives(db.configuration)))
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)

            proxy.partition()
            let started = ContinuousClock.now
            let outcome = Mutex<Result<Void, any Error>?>(nil)
            let query = Task {
                do {
                    try await connection.query("SELECT 2")
                    outcome.withLock { $0 = .success(()) }
                } catch {
                    outcome.withLock { $0 = .failure(error) }
                }
            }
            let ended = await eventually(timeout: .seconds(20)) { outcome.withLock { $0 != nil } }
            let elapsed = ContinuousClock.now - started
            print("KeepaliveTests: a query after the partition failed after \(elapsed)")
            #expect(ended, "the query still hangs \(elapsed) after the partition")
            proxy.close()
            await query.value
            guard case .failure(let error as PostgresError) = outcome.withLock({ $0 }) else {
                Issue.record("expected a PostgresError, got \(String(describing: outcome.withLock { $0 }))")
                return
            }
            #expect(error.isConnectionError)
            #expect(connection.isBroken)
        }
    }

    @Test func isAliveTurnsFalseAndTheServerDropsTheBackendAfterASilentPartition() async throws {
        try await withTestDatabase("partidle") { db in
            let proxy = try PartitionProxy(inFrontOf: db.configuration)
            defer { proxy.close() }
            let connection = try await PostgresConnection.connect(configuration: try proxy.route(Self.fastKeepalives(db.configuration)))
            let pid = try await connection.backendPID()
            let observer = try await db.connect()
            let backendExists = { try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]).count == 1 }
            #expect(try await backendExists())
            #expect(await connection.isAlive())

            proxy.partition()
            let started = ContinuousClock.now
            // The client's probes go unanswered: the kernel resets the socket, isAlive sees it.
            #expect(await eventually(timeout: .seconds(20)) { await !connection.isAlive() })
            print("KeepaliveTests: isAlive() turned false after \(ContinuousClock.now - started)")
            #expect(connection.isBroken)
            // The server's probes go unanswered too: the backend ends and its locks would go with it.
            #expect(await eventually(timeout: .seconds(20)) { try await !backendExists() })
            print("KeepaliveTests: the server dropped the partitioned backend after \(ContinuousClock.now - started)")
            await observer.close()
        }
    }
}
