import Foundation
import HeraldTestSupport
@testable import Postgres
import Testing

@Suite("Transaction-pooler mode")
struct PoolerModeTests {
    @Test func theModeParsesAndABadValueIsNamed() throws {
        #expect(try PostgresPoolerMode.parse(nil) == PostgresPoolerMode.none)
        #expect(try PostgresPoolerMode.parse("  ") == PostgresPoolerMode.none)
        #expect(try PostgresPoolerMode.parse(" Transaction ") == .transaction)
        #expect(throws: PostgresError.self) { try PostgresPoolerMode.parse("session") }
        do {
            _ = try PostgresPoolerMode.parse("statement")
        } catch {
            #expect(error.message.contains("HERALD_DATABASE_POOLER=statement"))
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test func behindATransactionPoolerOnlyTrackedParametersAreSet() {
        var configuration = PostgresConfiguration(connectionString: "postgres://db/app", statementTimeout: .seconds(2))
        #expect(configuration.sessionSettings.contains("statement_timeout = 2000"))
        #expect(configuration.serverKeepaliveSettings != nil)
        #expect(configuration.clientStatementTimeout == nil)
        configuration.pooler = .transaction
        #expect(configuration.sessionSettings == "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'")
        #expect(configuration.serverKeepaliveSettings == nil)
        #expect(configuration.clientStatementTimeout == .seconds(2))
    }

    /// Without PgBouncer the mode must still work: unnamed statements, the timeout sent by Herald.
    @Test func transactionModeRunsAgainstPostgreSQLDirectly() async throws {
        try await withTestDatabase("poolermode") { db in
            var configuration = db.configuration
            configuration.pooler = .transaction
            configuration.statementTimeout = .milliseconds(200)
            let connection = try await PostgresConnection.connect(configuration: configuration)
            for round in 0..<3 {
                #expect(try await connection.query("SELECT $1::int * 2", [round])[0].decode(Int.self, at: 0) == round * 2)
            }
            let named = try await connection.query("SELECT count(*) FROM pg_prepared_statements")[0].decode(Int.self, at: 0)
            #expect(named == 0)
            #expect(try await connection.query("SELECT current_setting('statement_timeout')")[0].decode(String.self, at: 0) == "0")
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(5)") }
            #expect(clock.now - start < .seconds(4))
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            await connection.close()
        }
    }
}
