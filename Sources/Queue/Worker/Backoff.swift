/// Exponential backoff with jitter for retries: `base × 2^(attempt−1)`, capped at `maximum`,
/// then scaled by a random factor in `[1 − jitter, 1 + jitter]`.
///
/// With the defaults (2 s base, 1 h cap, ±20 %): about 2 s, 4 s, 8 s … and one hour from the
/// 12th attempt on. Jitter spreads the retries of jobs that failed together (a provider outage).
public struct Backoff: Sendable, Hashable {
    public var base: Duration
    public var maximum: Duration
    /// Fraction of the delay, 0 … 1.
    public var jitter: Double

    public init(base: Duration = .seconds(2), maximum: Duration = .seconds(3600), jitter: Double = 0.2) {
        self.base = base
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before the attempt after `attempt` (1-based) failed, without jitter.
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let seconds = min(base.seconds * Double(UInt64(1) << UInt64(exponent)), maximum.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The jittered delay; `random` in [0, 1) is injectable for tests.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let nominal = nominalDelay(afterAttempt: attempt).seconds
        let factor = 1 - jitter + 2 * jitter * random
        return .milliseconds(Int64((nominal * factor * 1000).rounded()))
    }

    /// The jitter bounds for `attempt`.
    public func bounds(afterAttempt attempt: Int) -> ClosedRange<Duration> {
        let nominal = nominalDelay(afterAttempt: attempt).seconds
        return .milliseconds(Int64((nominal * (1 - jitter) * 1000).rounded()))...(.milliseconds(Int64((nominal * (1 + jitter) * 1000).rounded())))
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
