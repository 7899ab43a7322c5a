import Foundation
import Postgres

/// A calendar date without a time zone (year, month, day in the proleptic Gregorian calendar).
///
/// Arithmetic on local dates is plain day counting (civil-from-days, as in Howard Hinnant's
/// `chrono` algorithms, the ones `PostgresTimestamp` formats timestamps with), so "the day before"
/// or "the 1st of last month" never depends on DST and costs no calendar lookups; only the final
/// step, turning a local date and hour into an instant, looks at the user's time zone.
struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The local date of `instant` in `timeZone`.
    init(of instant: Date, in timeZone: TimeZone) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
        self.init(daysSinceEpoch: Self.floorDivide(seconds, 86_400))
    }

    /// Days since 1970-01-01 → civil date.
    init(daysSinceEpoch days: Int) {
        let (year, month, day) = PostgresTimestamp.civil(fromDays: Int64(days))
        self.init(year: Int(year), month: Int(month), day: Int(day))
    }

    /// Civil date → days since 1970-01-01.
    var daysSinceEpoch: Int {
        Int(PostgresTimestamp.days(fromCivil: Int64(self.year), Int64(self.month), Int64(self.day)))
    }

    /// Seconds since 1970 of this date at `hour`:00 read as if it were UTC ("wall clock seconds").
    func wallClockSeconds(hour: Int) -> Int {
        self.daysSinceEpoch * 86_400 + hour * 3_600
    }

    func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: self.daysSinceEpoch + days)
    }

    /// The same day `months` months later; only used on 1st-of-month dates, which always exist.
    func adding(months: Int) -> LocalDate {
        let index = self.year * 12 + (self.month - 1) + months
        return LocalDate(year: Self.floorDivide(index, 12), month: index - Self.floorDivide(index, 12) * 12 + 1, day: self.day)
    }

    /// 1 = Monday … 7 = Sunday (ISO 8601). 1970-01-01 was a Thursday.
    var isoWeekday: Int {
        (self.daysSinceEpoch + 3 - Self.floorDivide(self.daysSinceEpoch + 3, 7) * 7) + 1
    }

    var firstOfMonth: LocalDate { LocalDate(year: self.year, month: self.month, day: 1) }

    /// `2026-03-29`.
    var description: String {
        "\(Self.pad(self.year, 4))-\(Self.pad(self.month, 2))-\(Self.pad(self.day, 2))"
    }

    /// `2026-03`.
    var yearMonth: String { "\(Self.pad(self.year, 4))-\(Self.pad(self.month, 2))" }

    static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
