import Queue
import Testing

@Suite("Retry backoff")
struct BackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        let backoff = Backoff(base: .seconds(2), maximum: .seconds(60), jitter: 0.2)
        let nominal = (1...8).map { backoff.nominalDelay(afterAttempt: $0) }
        #expect(nominal == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60), .seconds(60), .seconds(60)])
        #expect(backoff.nominalDelay(afterAttempt: 500) == .seconds(60))
    }

    @Test func jitterStaysWithinItsBoundsAndVaries() {
        let backoff = Backoff(base: .seconds(10), maximum: .seconds(3600), jitter: 0.2)
        for attempt in 1...6 {
            let bounds = backoff.bounds(afterAttempt: attempt)
            var seen = Set<Duration>()
            for _ in 0..<200 {
                let delay = backoff.delay(afterAttempt: attempt)
                #expect(bounds.contains(delay), "attempt \(attempt): \(delay) outside \(bounds)")
                seen.insert(delay)
            }
            #expect(seen.count > 50, "jitter should spread delays")
        }
        #expect(backoff.delay(afterAttempt: 1, random: 0) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 1, random: 0.5) == .seconds(10))
        #expect(backoff.bounds(afterAttempt: 1) == .seconds(8)...(.seconds(12)))
    }

    @Test func zeroJitterIsExact() {
        let backoff = Backoff(base: .milliseconds(100), maximum: .seconds(1), jitter: 0)
        #expect(backoff.delay(afterAttempt: 3, random: 0.99) == .milliseconds(400))
    }
}
