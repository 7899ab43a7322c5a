import HeraldTestSupport
import Postgres
import Testing

/// Wall-clock checks. `make test` runs suites named "Timing" after the parallel run, one at a
/// time, so the rest of the suite does not share the two cores with them.
@Suite("LISTEN/NOTIFY timing")
struct ListenTimingTests {
    @Test func notifyWakesAListenerWithin100ms() async throws {
        try await withTestDatabase("listen") { db in
            let listener = PostgresListener(configuration: db.configuration, channels: ["herald_test"])
            var events = listener.events().makeAsyncIterator()
            #expect(await events.next() == .listening)
            let sender = try await db.connect()
            let clock = ContinuousClock()
            var latencies: [Duration] = []
            for round in 0..<11 {
                let start = clock.now
                try await sender.notify(channel: "herald_test", payload: "round \(round)")
                guard case .notification(let note) = await events.next() else {
                    Issue.record("expected a notification")
                    return
                }
                latencies.append(clock.now - start)
                #expect(note.channel == "herald_test")
                #expect(note.payload == "round \(round)")
            }
            // The median, so one scheduling hiccup of a loaded 2-core machine (the whole suite
            // runs in parallel) does not decide; a polling listener would miss by far.
            let median = latencies.sorted()[latencies.count / 2]
            #expect(median < .milliseconds(100), "median wake-up \(median); all: \(latencies)")
            await sender.close()
        }
    }

}
