import Foundation
import HeraldTestSupport
import Postgres
import Testing

@Suite("Cancelling a task cancels its statement on the server")
struct CancellationTests {
    /// The state of backend `pid` in `pg_stat_activity` and whether it runs `pg_sleep`.
    private static func activity(_ observer: PostgresConnection, pid: Int32) async throws -> (state: String, sleeping: Bool) {
        let row = try await observer.query(
            "SELECT state, query LIKE '%pg_sleep%' FROM pg_stat_activity WHERE pid = $1", [pid])[0]
        return (try row.decode(String.self, at: 0), try row.decode(Bool.self, at: 1))
    }

    /// Waits until `pid` is running `pg_sleep`, so the cancel surely hits a running statement.
    private static func waitUntilSleeping(_ observer: PostgresConnection, pid: Int32) async -> Bool {
        await eventually { try await activity(observer, pid: pid) == ("active", true) }
    }

    @Test func cancellingTheTaskStopsTheStatementAndTheConnectionStaysUsable() async throws {
        try await withTestDatabase("cancel") { db in
            let connection = try await db.connect()
            let observer = try await db.connect()
            let pid = try await connection.backendPID()
            let sleeper = Task { try await connection.query("SELECT pg_sleep(30)") }
            #expect(await Self.waitUntilSleeping(observer, pid: pid))
            try await Task.sleep(for: .milliseconds(200))

            let started = ContinuousClock.now
            sleeper.cancel()
            let result = await sleeper.result
            let elapsed = ContinuousClock.now - started
            print("CancellationTests: a cancelled pg_sleep(30) returned after \(elapsed)")
            #expect(elapsed < .seconds(10) * testLoadFactor)
            #expect(throws: CancellationError.self) { try result.get() }

            #expect(try await Self.activity(observer, pid: pid).state == "idle")
            #expect(!connection.isBroken)
            #expect(try await connection.query("SELECT 7")[0].decode(Int.self, at: 0) == 7)
            await observer.close()
            await connection.close()
        }
    }

    @Test func aTaskCancelledMidTransactionLeavesNothingAndThePoolConnectionClean() async throws {
        try await withTestDatabase("canceltx") { db in
            let pool = db.pool(maximumConnections: 1)
            let observer = try await db.connect()
            try await pool.query("CREATE TABLE items (n int)")
            let pid = try await pool.withConnection { try await $0.backendPID() }
            let writer = Task {
                try await pool.transaction { tx in
                    try await tx.query("INSERT INTO items VALUES ($1)", [1])
                    try await tx.query("SELECT pg_sleep(30)")
                }
            }
            #expect(await Self.waitUntilSleeping(observer, pid: pid))
            writer.cancel()
            await #expect(throws: CancellationError.self) { try await writer.value }

            // The same connection comes back, outside any transaction, and nothing was written.
            let (samePID, state) = try await pool.withConnection { connection in
                (try await connection.backendPID(), try await backendStateAfterAStatement(connection, observer: observer))
            }
            #expect(samePID == pid)
            #expect(state == "idle")
            #expect(try await observer.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
            await observer.close()
            await pool.close()
        }
    }

    @Test func aCancelledPoolQueryReturnsItsConnectionForTheNextCaller() async throws {
        try await withTestDatabase("cancelpool") { db in
            let pool = db.pool(maximumConnections: 1)
            let observer = try await db.connect()
            let pid = try await pool.withConnection { try await $0.backendPID() }
            let sleeper = Task { try await pool.query("SELECT pg_sleep(30)") }
            #expect(await Self.waitUntilSleeping(observer, pid: pid))
            sleeper.cancel()
            await #expect(throws: CancellationError.self) { try await sleeper.value }
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            #expect(pool.openConnections == 1)
            #expect(try await Self.activity(observer, pid: pid).sleeping == false)
            await observer.close()
            await pool.close()
        }
    }

    /// The race behind a flaky job-timeout test: the handler's task was cancelled while its pool
    /// was still opening a connection, and the statement then ran, uncancellable, for 60 s.
    @Test func aTaskCancelledWhileWaitingForAConnectionDoesNotStartItsStatement() async throws {
        try await withTestDatabase("cancelwait") { db in
            let pool = db.pool(maximumConnections: 1)
            let observer = try await db.connect()
            let (held, release) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { _ in
                    for await _ in held { break }
                }
            }
            #expect(await eventually { pool.openConnections == 1 })
            let waiter = Task { try await pool.query("SELECT pg_sleep(30) /* waiter */") }
            try await Task.sleep(for: .milliseconds(200))  // let it queue for the held connection
            waiter.cancel()
            release.yield()
            try await holder.value
            await #expect(throws: CancellationError.self) { try await waiter.value }
            let sleeping = try await observer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%/* waiter */%' AND pid <> pg_backend_pid()")
            #expect(try sleeping[0].decode(Int.self, at: 0) == 0, "the statement never started")
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1, "the connection went back to the pool")
            await observer.close()
            await pool.close()
        }
    }

    @Test func aTaskAlreadyCancelledStillRunsItsStatementsSoCleanupWorks() async throws {
        try await withTestDatabase("cancelled") { db in
            let connection = try await db.connect()
            let value = try await Task { () async throws -> Int in
                withUnsafeCurrentTask { $0?.cancel() }
                return try await connection.query("SELECT 3")[0].decode(Int.self, at: 0)
            }.value
            #expect(value == 3)
            await connection.close()
        }
    }

    @Test func aStatementTimeoutStaysAServerErrorNotACancellation() async throws {
        try await withTestDatabase("stmttimeout") { db in
            var configuration = db.configuration
            configuration.statementTimeout = .milliseconds(100)
            let connection = try await PostgresConnection.connect(configuration: configuration)
            let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(5)") }
            #expect(error?.sqlState == "57014")
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            await connection.close()
        }
    }
}
