public import Foundation
import Mail

/// When a user's digests are due, in the user's own time zone.
///
/// A daily period ends every local day at the user's hour; a weekly one on Monday at that hour; a
/// monthly one on the 1st at that hour. Periods are DST-correct:
/// - a day of 23 or 25 hours (the DST change) is still exactly one daily period;
/// - when the user's hour does not exist on a day (skipped by a spring-forward jump), the boundary
///   is the next valid instant (02:00 in Berlin on the last Sunday of March becomes 03:00 CEST);
/// - when the hour exists twice (fall back), the boundary is its first occurrence.
///
/// Pure: the schedule only reads the time zone database; `now` is always an argument. Local dates
/// are counted in days (no DST-dependent calendar arithmetic) and turned into instants with the
/// zone's UTC offsets, which makes the gap and overlap rules above explicit rather than
/// platform-dependent.
public struct DigestSchedule: Sendable, Hashable {
    /// The digest frequency; with `.never` there are no periods.
    public let frequency: DigestFrequency
    /// The user's time zone.
    public let timeZone: TimeZone
    /// The local hour (0–23) at which periods end.
    public let hour: Int

    /// Creates a schedule.
    /// - Throws: `DeliveryError` `.invalidTimeZone` for an unknown IANA identifier,
    ///   `.invalidDigestHour` for an hour outside 0...23.
    public init(frequency: DigestFrequency, timeZoneIdentifier: String, hour: Int) throws {
        guard let timeZone = TimeZone(identifier: timeZoneIdentifier) else {
            throw DeliveryError(code: .invalidTimeZone, message: "unknown time zone identifier '\(timeZoneIdentifier)'")
        }
        try self.init(frequency: frequency, timeZone: timeZone, hour: hour)
    }

    /// Creates a schedule from a `TimeZone`.
    /// - Throws: `DeliveryError` `.invalidDigestHour` for an hour outside 0...23.
    public init(frequency: DigestFrequency, timeZone: TimeZone, hour: Int) throws {
        guard (0...23).contains(hour) else {
            throw DeliveryError(code: .invalidDigestHour, message: "digest hour must be between 0 and 23, got \(hour)")
        }
        self.frequency = frequency
        self.timeZone = timeZone
        self.hour = hour
    }

    /// The most recent period that has ended at `now` (its `end` ≤ `now`), or `nil` for `.never`.
    ///
    /// If workers were down for days, this is still only the latest period; use
    /// ``periods(endingBetween:and:limit:)`` to find the ones missed in between.
    public func latestEndedPeriod(at now: Date) -> DigestPeriod? {
        guard let boundary = self.latestBoundary(atOrBefore: now) else { return nil }
        return self.period(endingAt: boundary)
    }

    /// All periods whose end lies in `(after, through]`, oldest first: what a catch-up after an
    /// outage (or the leader's regular tick, with `after` = its previous run) must enqueue.
    ///
    /// At most `limit` periods are returned — the most recent ones — so a wildly old `after`
    /// cannot produce an unbounded list.
    public func periods(endingBetween after: Date, and through: Date, limit: Int = 1_000) -> [DigestPeriod] {
        guard after < through, limit > 0, var boundary = self.latestBoundary(atOrBefore: through) else { return [] }
        var result: [DigestPeriod] = []
        while result.count < limit {
            let end = self.instant(boundary)
            guard end > after else { break }
            result.append(self.period(endingAt: boundary))
            boundary = self.previousBoundary(boundary)
        }
        return result.reversed()
    }

    /// The instant the current (not yet ended) period ends: the first boundary strictly after
    /// `now`, or `nil` for `.never`. The scheduler can sleep until then.
    public func nextPeriodEnd(after now: Date) -> Date? {
        guard let boundary = self.latestBoundary(atOrBefore: now) else { return nil }
        return self.instant(self.nextBoundary(boundary))
    }

    // MARK: - Boundaries as local dates

    /// The latest boundary date whose instant is ≤ `now`.
    private func latestBoundary(atOrBefore now: Date) -> LocalDate? {
        let today = LocalDate(of: now, in: self.timeZone)
        var boundary: LocalDate
        switch self.frequency {
        case .never: return nil
        case .daily: boundary = today
        case .weekly: boundary = today.adding(days: -(today.isoWeekday - 1))
        case .monthly: boundary = today.firstOfMonth
        }
        // A boundary later today (or pushed forward by a DST gap) has not happened yet.
        while self.instant(boundary) > now {
            boundary = self.previousBoundary(boundary)
        }
        return boundary
    }

    private func previousBoundary(_ boundary: LocalDate) -> LocalDate {
        switch self.frequency {
        case .never, .daily: boundary.adding(days: -1)
        case .weekly: boundary.adding(days: -7)
        case .monthly: boundary.adding(months: -1)
        }
    }

    private func nextBoundary(_ boundary: LocalDate) -> LocalDate {
        switch self.frequency {
        case .never, .daily: boundary.adding(days: 1)
        case .weekly: boundary.adding(days: 7)
        case .monthly: boundary.adding(months: 1)
        }
    }

    private func period(endingAt boundary: LocalDate) -> DigestPeriod {
        let startDate = self.previousBoundary(boundary)
        let key: String
        switch self.frequency {
        case .never, .daily: key = "daily:\(startDate)"
        case .weekly: key = "weekly:\(startDate)"
        case .monthly: key = "monthly:\(startDate.yearMonth)"
        }
        return DigestPeriod(frequency: self.frequency, start: self.instant(startDate), end: self.instant(boundary), key: key)
    }

    // MARK: - Local date + hour → instant

    /// The instant at which the wall clock in `timeZone` shows `date` at `hour`:00 — the first one
    /// if that happens twice, the next valid instant if it never happens.
    func instant(_ date: LocalDate) -> Date {
        let wall = date.wallClockSeconds(hour: self.hour)
        let offset = { (seconds: Int) in self.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))) }

        // Every offset in force within a day of the wall-clock time; real zones change at most
        // once or twice in that window.
        var offsets = Set([offset(wall - 86_400), offset(wall), offset(wall + 86_400)])
        for candidate in offsets { offsets.insert(offset(wall - candidate)) }

        let valid = offsets.map { wall - $0 }.filter { $0 + offset($0) == wall }
        if let first = valid.min() {
            return Date(timeIntervalSince1970: TimeInterval(first))
        }

        // The wall-clock time falls into a gap: the clock jumped from below it to above it at
        // some transition instant T with (wall - largest offset) < T <= (wall - smallest offset).
        // T itself is the next valid instant; find it by bisection on the offset.
        guard let smallest = offsets.min(), let largest = offsets.max() else {
            return Date(timeIntervalSince1970: TimeInterval(wall))
        }
        var low = wall - largest
        var high = wall - smallest
        let offsetBefore = offset(low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(middle) == offsetBefore { low = middle } else { high = middle }
        }
        return Date(timeIntervalSince1970: TimeInterval(high))
    }
}
