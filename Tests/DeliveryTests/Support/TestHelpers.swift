import Foundation
import HeraldTestSupport
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

let hour: TimeInterval = 3_600
let day: TimeInterval = 86_400
