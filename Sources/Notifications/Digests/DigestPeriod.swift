public import Foundation

/// One digest period of one user: the notifications created in `start ..< end` go into the
/// digest sent at `end`.
public struct DigestPeriod: Sendable, Hashable, CustomStringConvertible {
    /// The frequency this period belongs to (never `.never`).
    public let frequency: DigestFrequency
    /// The first instant of the period (inclusive).
    public let start: Date
    /// The instant the period ends (exclusive); the digest is due from then on.
    public let end: Date
    /// A stable key naming the period by the user's local date on which it starts:
    /// `daily:2026-03-28`, `weekly:2026-03-23` (always a Monday), `monthly:2026-03`.
    ///
    /// Unique per user and period: combined with the user id it makes the `unique_key` of the
    /// `digest.build` job, so a leader that runs twice (or catches up) never enqueues a period twice.
    public let key: String

    /// Creates a period. Prefer ``DigestSchedule``, which computes them.
    public init(frequency: DigestFrequency, start: Date, end: Date, key: String) {
        self.frequency = frequency
        self.start = start
        self.end = end
        self.key = key
    }

    /// The period's length in seconds (23 or 25 hours for a daily period across a DST change).
    public var duration: TimeInterval { self.end.timeIntervalSince(self.start) }

    public var description: String { "\(self.key) [\(self.start) ..< \(self.end)]" }
}
