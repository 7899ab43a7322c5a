import Foundation
import HeraldTestSupport
import Logging
import Postgres
import Testing

@Suite("The pool never hands out a connection inside a transaction or with a dead backend")
struct PoolHygieneTests {
    struct Boom: Error {}

    /// True when the next checkout runs outside any transaction.
    private static func outsideTransaction(_ pool: PostgresPool, observer: PostgresConnection) async throws -> Bool {
        try await pool.withConnection { try await backendStateAfterAStatement($0, observer: observer) } == "idle"
    }

    private static func terminate(_ pid: Int32, from observer: PostgresConnection) async throws -> Bool {
        try await observer.query("SELECT pg_terminate_backend($1)", [pid])
        return await eventually { try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]).count == 0 }
    }

    @Test func aTransactionLeftOpenIsRolledBackBeforeTheNextCheckout() async throws {
        try await withTestDatabase("leftopen") { db in
            let logs = CapturingLogHandler()
            let pool = PostgresPool(configuration: db.configuration, pool: .init(maximumConnections: 1), logger: logs.logger())
            let observer = try await db.connect()
            try await pool.query("CREATE TABLE items (n int)")
            try await pool.withConnection { connection in
                try await connection.execute("BEGIN")
                try await connection.query("INSERT INTO items VALUES ($1)", [1])
                // Returned without COMMIT or ROLLBACK.
            }
            #expect(try await Self.outsideTransaction(pool, observer: observer))
            #expect(try await observer.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
            // A write now commits on its own: another connection sees it at once.
            try await pool.query("INSERT INTO items VALUES ($1)", [2])
            #expect(try await observer.query("SELECT n FROM items")[0].decode(Int.self, at: 0) == 2)
            #expect(logs.lines.contains { $0.message.contains("rolling back a transaction left open") })
            await observer.close()
            await pool.close()
        }
    }

    @Test func aFailedTransactionLeftBehindIsRolledBackToo() async throws {
        try await withTestDatabase("lefterr") { db in
            let pool = db.pool(maximumConnections: 1)
            let observer = try await db.connect()
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    try await connection.execute("BEGIN")
                    #expect(try await backendStateAfterAStatement(connection, observer: observer) == "idle in transaction")
                    try await connection.query("SELECT 1/0")
                }
            }
            let outside = try await Self.outsideTransaction(pool, observer: observer)
            #expect(outside)
            #expect(pool.openConnections == 1)
            await observer.close()
            await pool.close()
        }
    }

    @Test func aFailedRollbackIsLoggedAndItsConnectionDiscarded() async throws {
        try await withTestDatabase("rbfail") { db in
            let logs = CapturingLogHandler()
            let pool = PostgresPool(configuration: db.configuration, pool: .init(maximumConnections: 1), logger: logs.logger())
            let observer = try await db.connect()
            await #expect(throws: Boom.self) {
                try await pool.transaction { tx in
                    // The backend goes away unnoticed; the ROLLBACK after Boom is the first to find out.
                    #expect(try await Self.terminate(try await tx.backendPID(), from: observer))
                    throw Boom()
                }
            }
            let line = logs.lines.first { $0.message.contains("ROLLBACK failed") }
            #expect(line != nil)
            #expect(line?.metadata["error"].map { "\($0)".contains("PostgresError") } == true)
            #expect(line?.metadata["cause"].map { "\($0)".contains("Boom") } == true)
            #expect(pool.openConnections == 0)
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            await observer.close()
            await pool.close()
        }
    }

    @Test func aConnectionWhoseBackendWasTerminatedWhileCheckedOutIsNotHandedOutAgain() async throws {
        try await withTestDatabase("terminated") { db in
            let pool = db.pool(maximumConnections: 1)
            let observer = try await db.connect()
            // Terminated while checked out, unnoticed by the body.
            let first = try await pool.withConnection { connection in
                let pid = try await connection.backendPID()
                #expect(try await Self.terminate(pid, from: observer))
                return pid
            }
            let second = try await pool.withConnection { try await $0.backendPID() }
            #expect(second != first)
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            #expect(pool.openConnections == 1)

            // Terminated while checked out, and the body's next statement fails: discarded on release.
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    #expect(try await Self.terminate(try await connection.backendPID(), from: observer))
                    try await connection.query("SELECT 1")
                }
            }
            #expect(pool.openConnections == 0)
            #expect(try await pool.withConnection { try await $0.backendPID() } != second)
            await observer.close()
            await pool.close()
        }
    }
}
