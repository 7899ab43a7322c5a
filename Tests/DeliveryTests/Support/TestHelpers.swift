import Foundation
import Testing

/// Parses an ISO 8601 instant such as `2026-03-29T06:00:00Z`; records an issue and returns the
/// epoch when the literal is malformed.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else {
        Issue.record("bad ISO 8601 literal \(text)", sourceLocation: sourceLocation)
        return Date(timeIntervalSince1970: 0)
    }
    return date
}

/// A deterministic random number generator (SplitMix64) for reproducible tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let hour: TimeInterval = 3_600
let day: TimeInterval = 86_400
