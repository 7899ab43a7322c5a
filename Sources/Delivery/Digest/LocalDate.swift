import Foundation

/// A calendar date without a time zone (year, month, day in the proleptic Gregorian calendar).
///
/// Date arithmetic on local dates runs in a fixed UTC calendar, where every day has 24 hours, so
/// "the day before" or "the 1st of last month" never depends on DST; only the final step, turning a
/// local date and hour into an instant, looks at the user's time zone.
struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The local date of `instant` in `calendar`'s time zone.
    init(of instant: Date, in calendar: Calendar) {
        let components = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: components.year ?? 1970, month: components.month ?? 1, day: components.day ?? 1)
    }

    /// Seconds since 1970 of this date at `hour`:00 read as if it were UTC ("wall clock seconds").
    func wallClockSeconds(hour: Int) -> Int {
        let components = DateComponents(year: self.year, month: self.month, day: self.day, hour: hour)
        let date = Self.utc.date(from: components) ?? Date(timeIntervalSince1970: 0)
        return Int(date.timeIntervalSince1970.rounded())
    }

    private init(utcDate: Date) {
        let components = Self.utc.dateComponents([.year, .month, .day], from: utcDate)
        self.init(year: components.year ?? 1970, month: components.month ?? 1, day: components.day ?? 1)
    }

    private var utcMidnight: Date {
        Date(timeIntervalSince1970: TimeInterval(self.wallClockSeconds(hour: 0)))
    }

    func adding(days: Int) -> LocalDate {
        LocalDate(utcDate: self.utcMidnight.addingTimeInterval(TimeInterval(days * 86_400)))
    }

    func adding(months: Int) -> LocalDate {
        let date = Self.utc.date(byAdding: .month, value: months, to: self.utcMidnight) ?? self.utcMidnight
        return LocalDate(utcDate: date)
    }

    /// 1 = Monday … 7 = Sunday (ISO 8601).
    var isoWeekday: Int {
        let weekday = Self.utc.component(.weekday, from: self.utcMidnight)  // 1 = Sunday
        return (weekday + 5) % 7 + 1
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

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
