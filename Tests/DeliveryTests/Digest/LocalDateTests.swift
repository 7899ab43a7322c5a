import Foundation
@testable import Notifications
import Testing

@Suite("LocalDate arithmetic")
struct LocalDateTests {
    @Test("Day counting agrees with Foundation's Gregorian calendar from 1900 to 2200")
    func agreesWithCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var days = -25_567  // 1900-01-01
        while days < 84_000 {  // ~2200
            let date = Date(timeIntervalSince1970: TimeInterval(days) * 86_400)
            let components = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let local = LocalDate(daysSinceEpoch: days)
            #expect(local.year == components.year && local.month == components.month && local.day == components.day)
            #expect(local.daysSinceEpoch == days)
            #expect(local.isoWeekday == ((components.weekday ?? 0) + 5) % 7 + 1)
            days += 37
        }
    }

    @Test("Months and days roll over years")
    func rollOver() {
        #expect(LocalDate(year: 2026, month: 1, day: 1).adding(months: -1) == LocalDate(year: 2025, month: 12, day: 1))
        #expect(LocalDate(year: 2026, month: 12, day: 1).adding(months: 1) == LocalDate(year: 2027, month: 1, day: 1))
        #expect(LocalDate(year: 2028, month: 2, day: 28).adding(days: 1) == LocalDate(year: 2028, month: 2, day: 29))
        #expect(LocalDate(year: 2026, month: 3, day: 1).adding(days: -1) == LocalDate(year: 2026, month: 2, day: 28))
        #expect(LocalDate(year: 2026, month: 3, day: 29).description == "2026-03-29")
        #expect(LocalDate(year: 2026, month: 3, day: 29).yearMonth == "2026-03")
        #expect(LocalDate(year: 2026, month: 3, day: 30).isoWeekday == 1)  // a Monday
    }

    @Test("The local date of an instant follows the zone's offset")
    func localDateOfInstant() throws {
        let auckland = try #require(TimeZone(identifier: "Pacific/Auckland"))
        let honolulu = try #require(TimeZone(identifier: "Pacific/Honolulu"))
        let moment = instant("2026-01-15T12:00:00Z")
        #expect(LocalDate(of: moment, in: auckland) == LocalDate(year: 2026, month: 1, day: 16))
        #expect(LocalDate(of: moment, in: honolulu) == LocalDate(year: 2026, month: 1, day: 15))
        #expect(LocalDate(of: instant("1969-12-31T23:59:59Z"), in: try #require(TimeZone(identifier: "UTC"))) == LocalDate(year: 1969, month: 12, day: 31))
    }
}
