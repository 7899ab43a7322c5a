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
            // 250 ms: many pings within the test, yet not so short that a busy machine's late
            // answer counts as silence (that reconnects, which is the partition tests' subject).
            let listener = PostgresListener(
                configuration: db.configuration, channels: ["herald_jobs", "other channel"], pingInterval: .milliseconds(250))
            var events = listener.events().makeAsyncIterator()
            #expect(await events.next() == .listening)
            let observer = try await db.connect()
            defer { Task { await observer.close() } }
            // After a ping the listener's last statement is both LISTENs in one (the connect sends
            // them one by one): one backend, showing LISTEN "herald_jobs" to whoever counts workers.
            let showsItsListen = await eventually {
                let statements = try await observer.query(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).map { try $0.decode(String.self, at: 0) }
                return statements.count == 1 && statements[0] == "LISTEN \"herald_jobs\"; LISTEN \"other channel\""
            }
            #expect(showsItsListen)
            try await Task.sleep(for: .seconds(1))  // a few pings more
            let counted = try await observer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%herald_jobs%'")
            #expect(try counted[0].decode(Int.self, at: 0) == 1)
            // It still receives notifications after all those pings. Should a busy machine have
            // made it reconnect (`.listening` again), the notification is sent again.
            var received: PostgresNotification?
            for _ in 0..<20 where received == nil {
                try await observer.notify(channel: "other channel", payload: "after pings")
                if case .notification(let note) = await events.next() { received = note }
            }
            #expect(received?.channel == "other channel" && received?.payload == "after pings")
        }
    }
}
