import HeraldTestSupport
import Postgres
import Testing

@Suite("The listener's ping")
struct ListenerPingTests {
    /// The console and operators count worker processes by the connections whose last statement
    /// is a LISTEN on `herald_jobs`. A `SELECT 1` ping made every listener drop out of that count
    /// five seconds after it started; the ping now repeats the LISTEN, which changes nothing.
    @Test func afterManyPingsTheListenerStillListensAndShowsItsLISTEN() async throws {
        try await withTestDatabase("lping") { db in
            let listener = PostgresListener(
                configuration: db.configuration, channels: ["herald_jobs", "other channel"], pingInterval: .milliseconds(50))
            var events = listener.events().makeAsyncIterator()
            #expect(await events.next() == .listening)
            let observer = try await db.connect()
            defer { Task { await observer.close() } }
            let lastStatements = {
                try await observer.query(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).map { try $0.decode(String.self, at: 0) }
            }
            // Wait until the listener has pinged at least once (its statement is no longer the
            // lone LISTEN of the connect), then a few pings more.
            #expect(await eventually { try await lastStatements().contains { $0.contains(";") } })
            try await Task.sleep(for: .milliseconds(300))
            let statements = try await lastStatements()
            #expect(statements.count == 1, "\(statements)")
            #expect(statements.allSatisfy { $0.hasPrefix("LISTEN \"herald_jobs\"") }, "\(statements)")
            let counted = try await observer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%herald_jobs%'")
            #expect(try counted[0].decode(Int.self, at: 0) == 1)
            // And it still receives notifications on both channels after all those pings.
            try await observer.notify(channel: "other channel", payload: "after pings")
            guard case .notification(let note) = await events.next() else {
                Issue.record("expected a notification")
                return
            }
            #expect(note.channel == "other channel" && note.payload == "after pings")
        }
    }
}
