import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Synchronization
import Testing

@Suite("Transactions, errors, LISTEN/NOTIFY and the pool")
struct ConnectionTests {
    struct Boom: Error {}

    @Test func transactionCommitsOnSuccessAndRollsBackOnThrow() async throws {
        try await withTestDatabase("tx") { db in
            let connection = try await db.connect()
            try await connection.execute("CREATE TABLE items (n int)")
            _ = try await connection.transaction { try await $0.query("INSERT INTO items VALUES ($1)", [1]) }
            await #expect(throws: Boom.self) {
                try await connection.transaction { tx in
                    try await tx.query("INSERT INTO items VALUES ($1)", [2])
                    throw Boom()
                }
            }
            // A failing statement inside the transaction also rolls back, and the connection stays usable.
            await #expect(throws: PostgresError.self) {
                try await connection.transaction { tx in
                    try await tx.query("INSERT INTO items VALUES ($1)", [3])
                    try await tx.query("SELECT 1/0")
                }
            }
            let rows = try await connection.query("SELECT n FROM items ORDER BY n")
            #expect(try rows.map { try $0.decode(Int.self, at: 0) } == [1])
            await connection.close()
        }
    }

    @Test func constraintViolationCarriesSQLStateAndConstraintName() async throws {
        try await withTestDatabase("constraint") { db in
            let connection = try await db.connect()
            try await connection.execute("""
                CREATE TABLE accounts (email text CONSTRAINT accounts_email_key UNIQUE,
                                       age int CONSTRAINT accounts_age_check CHECK (age >= 0))
                """)
            try await connection.query("INSERT INTO accounts VALUES ($1, $2)", ["a@example.com", 1])
            let duplicate = try await #require(throws: PostgresError.self) {
                try await connection.query("INSERT INTO accounts VALUES ($1, $2)", ["a@example.com", 2])
            }
            #expect(duplicate.code == .server)
            #expect(duplicate.sqlState == "23505")
            #expect(duplicate.isUniqueViolation)
            #expect(duplicate.constraintName == "accounts_email_key")
            #expect(duplicate.detail?.contains("a@example.com") == true)
            let check = try await #require(throws: PostgresError.self) {
                try await connection.query("INSERT INTO accounts VALUES ($1, $2)", ["b@example.com", -1])
            }
            #expect(check.sqlState == "23514")
            #expect(check.constraintName == "accounts_age_check")
            // description is for logs: never the statement or its parameters.
            let secret = "s3cret-parameter"
            let syntax = try await #require(throws: PostgresError.self) {
                try await connection.query("SELEC $1 AS secret_query_text", [secret])
            }
            #expect(syntax.sqlState == "42601")
            #expect(!syntax.description.contains("secret_query_text"))
            #expect(!syntax.description.contains(secret))
            #expect(syntax.debugDescription.contains("secret_query_text"))
            #expect(!connection.isBroken)
            await connection.close()
        }
    }

    @Test func statementTimeoutCancelsASlowQueryAndKeepsTheConnection() async throws {
        try await withTestDatabase("stmttimeout") { db in
            var configuration = db.configuration
            configuration.statementTimeout = .milliseconds(300)
            let connection = try await PostgresConnection.connect(configuration: configuration)
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(10)") }
            #expect(error.sqlState == "57014")  // query_canceled
            _ = clock.now - start  // 57014 is the proof: without the timeout pg_sleep(10) returns normally
            #expect(try await connection.query("SHOW statement_timeout")[0].decode(String.self, at: 0) == "300ms")
            #expect(try await connection.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
            await connection.close()
            let unlimited = try await db.connect()
            #expect(try await unlimited.query("SHOW statement_timeout")[0].decode(String.self, at: 0) == "0")
            await unlimited.close()
        }
    }

    @Test func connectingToAClosedPortFailsCleanly() async throws {
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(
                configuration: PostgresConfiguration(connectionString: "postgres://nobody:pw@127.0.0.1:1/none", connectTimeout: 2))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.isConnectionError)
        #expect(!error.description.contains(":pw@"))
    }

    @Test func configurationRedactsPasswords() {
        let config = PostgresConfiguration(connectionString: "postgres://u:hunter2@db:5432/app?sslmode=require")
        #expect(!config.redacted.contains("hunter2"))
        let conninfo = PostgresConfiguration(connectionString: "host=db password=hunter2 dbname=app")
        #expect(!conninfo.redacted.contains("hunter2"))
        // Every way a log line could render the configuration, or something holding it.
        for value in [config, conninfo] {
            var dumped = ""
            dump(value, to: &dumped)
            for text in ["\(value)", String(reflecting: value), dumped, "\([value])"] {
                #expect(!text.contains("hunter2"), "\(text)")
                #expect(text.contains("db"), "\(text)")
            }
        }
    }

    @Test func poolBoundsConnectionsAndReplacesKilledOnes() async throws {
        try await withTestDatabase("pool") { db in
            let pool = db.pool(maximumConnections: 3)
            final class Gauge: Sendable { let state = Mutex((now: 0, max: 0)) }
            let gauge = Gauge()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            gauge.state.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
                            try await connection.query("SELECT pg_sleep(0.01)")
                            gauge.state.withLock { $0.now -= 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(gauge.state.withLock { $0.max } <= 3)
            #expect(pool.openConnections <= 3)

            // Kill every pooled backend from outside: the next checkouts must reconnect.
            let admin = try await db.connect()
            try await admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [db.name])
            try await Task.sleep(for: .milliseconds(50))
            for _ in 0..<5 {
                let one = try await pool.query("SELECT 1 AS one")
                #expect(try one[0].decode(Int.self, at: 0) == 1)
            }
            await admin.close()
            await pool.close()
        }
    }
}

@Suite("A server restart")
struct RestartTests {
    @Test func poolSurvivesAServerRestart() async throws {
        let server = try TemporaryPostgres.start(options: .init(fsync: false))
        defer { server.stop() }
        let pool = PostgresPool(configuration: server.configuration, pool: .init(maximumConnections: 2))
        let before = try await pool.query("SELECT pg_backend_pid() AS pid")
        try server.restart()
        // The idle pooled connection is dead; the pool notices and reconnects.
        let after = try await pool.query("SELECT pg_backend_pid() AS pid")
        #expect(try before[0].decode(Int.self, at: 0) != after[0].decode(Int.self, at: 0))

        // A listener reconnects too and says so.
        let listener = PostgresListener(configuration: server.configuration, channels: ["restart"])
        var events = listener.events().makeAsyncIterator()
        #expect(await events.next() == .listening)
        try server.restart()
        #expect(await events.next() == .listening)
        try await pool.query("NOTIFY restart, 'back'")
        guard case .notification(let note) = await events.next() else {
            Issue.record("expected the notification sent after the restart")
            return
        }
        #expect(note.payload == "back")
        await pool.close()
    }
}
