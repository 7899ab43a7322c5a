import Foundation
import Mail
import Notifications
import Testing

@Suite("DigestSchedule")
struct DigestScheduleTests {
    private func schedule(_ frequency: DigestFrequency, _ zone: String, _ hourOfDay: Int) throws -> DigestSchedule {
        try DigestSchedule(frequency: frequency, timeZoneIdentifier: zone, hour: hourOfDay)
    }

    private func latest(_ schedule: DigestSchedule, at now: String) throws -> DigestPeriod {
        try #require(schedule.latestEndedPeriod(at: instant(now)))
    }

    // MARK: Europe/Berlin (CET/CEST; 2026: spring forward 03-29 01:00Z, fall back 10-25 01:00Z)

    @Test("Berlin daily: the spring-forward day is one period of 23 hours")
    func berlinSpringForward() throws {
        let period = try self.latest(self.schedule(.daily, "Europe/Berlin", 8), at: "2026-03-29T12:00:00Z")
        #expect(period.start == instant("2026-03-28T07:00:00Z"))  // 08:00 CET
        #expect(period.end == instant("2026-03-29T06:00:00Z"))  // 08:00 CEST
        #expect(period.duration == 23 * hour)
        #expect(period.key == "daily:2026-03-28")
        #expect(period.frequency == .daily)
    }

    @Test("Berlin daily: the fall-back day is one period of 25 hours")
    func berlinFallBack() throws {
        let period = try self.latest(self.schedule(.daily, "Europe/Berlin", 8), at: "2026-10-25T12:00:00Z")
        #expect(period.start == instant("2026-10-24T06:00:00Z"))  // 08:00 CEST
        #expect(period.end == instant("2026-10-25T07:00:00Z"))  // 08:00 CET
        #expect(period.duration == 25 * hour)
        #expect(period.key == "daily:2026-10-24")
    }

    @Test("Berlin daily at 02:00: the skipped hour moves to the next valid instant (03:00 CEST)")
    func berlinSkippedHour() throws {
        let schedule = try self.schedule(.daily, "Europe/Berlin", 2)
        let period = try self.latest(schedule, at: "2026-03-29T05:00:00Z")
        #expect(period.start == instant("2026-03-28T01:00:00Z"))  // 02:00 CET
        #expect(period.end == instant("2026-03-29T01:00:00Z"))  // 03:00 CEST, the transition instant
        #expect(period.key == "daily:2026-03-28")
        // The next period runs from that instant to 02:00 CEST on the 30th: 23 hours.
        #expect(schedule.nextPeriodEnd(after: instant("2026-03-29T05:00:00Z")) == instant("2026-03-30T00:00:00Z"))
        // Just before the shifted boundary, the previous day's period is the latest.
        let before = try self.latest(schedule, at: "2026-03-29T00:59:59Z")
        #expect(before.key == "daily:2026-03-27")
        #expect(before.end == instant("2026-03-28T01:00:00Z"))
        // Exactly at the boundary the period has ended.
        #expect(try self.latest(schedule, at: "2026-03-29T01:00:00Z").key == "daily:2026-03-28")
    }

    @Test("Berlin daily at 02:00 on fall-back day: the first of the two 02:00s")
    func berlinRepeatedHour() throws {
        let period = try self.latest(self.schedule(.daily, "Europe/Berlin", 2), at: "2026-10-25T12:00:00Z")
        #expect(period.end == instant("2026-10-25T00:00:00Z"))  // 02:00 CEST, not 02:00 CET (01:00Z)
        #expect(period.start == instant("2026-10-24T00:00:00Z"))
        #expect(period.duration == 24 * hour)
    }

    @Test("Berlin weekly on Monday across spring forward: 7 days minus an hour")
    func berlinWeekly() throws {
        let period = try self.latest(self.schedule(.weekly, "Europe/Berlin", 7), at: "2026-04-01T10:00:00Z")  // Wednesday
        #expect(period.start == instant("2026-03-23T06:00:00Z"))  // Mon 07:00 CET
        #expect(period.end == instant("2026-03-30T05:00:00Z"))  // Mon 07:00 CEST
        #expect(period.duration == 7 * day - hour)
        #expect(period.key == "weekly:2026-03-23")
    }

    // MARK: America/New_York (2026: spring forward 03-08 07:00Z, fall back 11-01 06:00Z)

    @Test("New York daily at 02:00 on spring-forward day becomes 03:00 EDT")
    func newYorkSpringForward() throws {
        let schedule = try self.schedule(.daily, "America/New_York", 2)
        let period = try self.latest(schedule, at: "2026-03-08T12:00:00Z")
        #expect(period.end == instant("2026-03-08T07:00:00Z"))
        #expect(period.start == instant("2026-03-07T07:00:00Z"))  // 02:00 EST
        #expect(period.key == "daily:2026-03-07")
    }

    @Test("New York daily at 01:00 on fall-back day is the first 01:00 (EDT)")
    func newYorkFallBack() throws {
        let period = try self.latest(self.schedule(.daily, "America/New_York", 1), at: "2026-11-01T12:00:00Z")
        #expect(period.end == instant("2026-11-01T05:00:00Z"))
        #expect(period.key == "daily:2026-10-31")
        // The following period, Nov 1 01:00 EDT → Nov 2 01:00 EST, lasts 25 hours.
        let next = try self.latest(self.schedule(.daily, "America/New_York", 1), at: "2026-11-02T12:00:00Z")
        #expect(next.start == period.end)
        #expect(next.end == instant("2026-11-02T06:00:00Z"))
        #expect(next.duration == 25 * hour)
    }

    @Test("New York weekly at 09:00 across spring forward")
    func newYorkWeekly() throws {
        let period = try self.latest(self.schedule(.weekly, "America/New_York", 9), at: "2026-03-11T12:00:00Z")
        #expect(period.start == instant("2026-03-02T14:00:00Z"))  // Mon 09:00 EST
        #expect(period.end == instant("2026-03-09T13:00:00Z"))  // Mon 09:00 EDT
        #expect(period.key == "weekly:2026-03-02")
    }

    @Test("Weekly: on Monday before the hour, the latest period ended the Monday before")
    func weeklyBeforeTheHour() throws {
        let period = try self.latest(self.schedule(.weekly, "America/New_York", 9), at: "2026-03-09T12:59:59Z")
        #expect(period.end == instant("2026-03-02T14:00:00Z"))
        #expect(period.key == "weekly:2026-02-23")
    }

    // MARK: Pacific/Auckland (UTC+13/+12; 2026: DST ends 04-05, starts 09-27)

    @Test("Auckland: keys use the local date, which is a day ahead of UTC")
    func aucklandLocalDate() throws {
        let period = try self.latest(self.schedule(.daily, "Pacific/Auckland", 0), at: "2026-01-15T12:00:00Z")  // Jan 16 01:00 NZDT
        #expect(period.end == instant("2026-01-15T11:00:00Z"))  // Jan 16 00:00 NZDT
        #expect(period.start == instant("2026-01-14T11:00:00Z"))
        #expect(period.key == "daily:2026-01-15")
    }

    @Test("Auckland monthly: March ends on April 1 at 09:00 NZDT")
    func aucklandMonthly() throws {
        let period = try self.latest(self.schedule(.monthly, "Pacific/Auckland", 9), at: "2026-04-05T00:00:00Z")
        #expect(period.start == instant("2026-02-28T20:00:00Z"))
        #expect(period.end == instant("2026-03-31T20:00:00Z"))
        #expect(period.key == "monthly:2026-03")
    }

    @Test("Auckland daily at 02:00 on the September spring-forward day becomes 03:00 NZDT")
    func aucklandSpringForward() throws {
        let period = try self.latest(self.schedule(.daily, "Pacific/Auckland", 2), at: "2026-09-27T00:00:00Z")
        #expect(period.end == instant("2026-09-26T14:00:00Z"))
        #expect(period.start == instant("2026-09-25T14:00:00Z"))  // 02:00 NZST
        #expect(period.duration == 24 * hour)
        #expect(period.key == "daily:2026-09-26")  // named after the local day it starts
    }

    // MARK: UTC and month boundaries

    @Test("UTC monthly: February of a common year is 28 days; exactly at the boundary it has ended")
    func utcFebruary() throws {
        let period = try self.latest(self.schedule(.monthly, "UTC", 0), at: "2026-03-01T00:00:00Z")
        #expect(period.start == instant("2026-02-01T00:00:00Z"))
        #expect(period.end == instant("2026-03-01T00:00:00Z"))
        #expect(period.duration == 28 * day)
        #expect(period.key == "monthly:2026-02")
    }

    @Test("UTC monthly across the year boundary, before the hour on the 1st")
    func utcYearBoundary() throws {
        let period = try self.latest(self.schedule(.monthly, "UTC", 6), at: "2026-01-01T05:00:00Z")
        #expect(period.start == instant("2025-11-01T06:00:00Z"))
        #expect(period.end == instant("2025-12-01T06:00:00Z"))
        #expect(period.key == "monthly:2025-11")
    }

    @Test("UTC daily on a leap day and at the end of a 31-day month")
    func utcLeapDay() throws {
        let schedule = try self.schedule(.daily, "UTC", 23)
        let leap = try self.latest(schedule, at: "2028-03-01T00:30:00Z")
        #expect(leap.start == instant("2028-02-28T23:00:00Z"))
        #expect(leap.end == instant("2028-02-29T23:00:00Z"))
        #expect(leap.key == "daily:2028-02-28")
        let endOfMonth = try self.latest(schedule, at: "2026-02-01T00:00:00Z")
        #expect(endOfMonth.key == "daily:2026-01-30")
        #expect(endOfMonth.end == instant("2026-01-31T23:00:00Z"))
        let firstOfMonth = try self.latest(schedule, at: "2026-02-02T00:00:00Z")
        #expect(firstOfMonth.key == "daily:2026-01-31")
        #expect(firstOfMonth.end == instant("2026-02-01T23:00:00Z"))
    }

    @Test("Monthly in Berlin: 31-day months and the DST month")
    func berlinMonthly() throws {
        let schedule = try self.schedule(.monthly, "Europe/Berlin", 8)
        let march = try self.latest(schedule, at: "2026-04-10T00:00:00Z")
        #expect(march.start == instant("2026-03-01T07:00:00Z"))
        #expect(march.end == instant("2026-04-01T06:00:00Z"))
        #expect(march.duration == 31 * day - hour)
        #expect(march.key == "monthly:2026-03")
    }

    // MARK: Catch-up

    @Test("Workers down for 3 days: the latest ended period, and the missed ones in order")
    func catchUp() throws {
        let schedule = try self.schedule(.daily, "Europe/Berlin", 8)
        let lastRun = instant("2026-03-27T07:30:00Z")  // just after the Mar 27 08:00 CET boundary
        let now = instant("2026-03-30T11:00:00Z")  // three days later
        let latest = try #require(schedule.latestEndedPeriod(at: now))
        #expect(latest.key == "daily:2026-03-29")
        #expect(latest.end == instant("2026-03-30T06:00:00Z"))

        let missed = schedule.periods(endingBetween: lastRun, and: now)
        #expect(missed.map(\.key) == ["daily:2026-03-27", "daily:2026-03-28", "daily:2026-03-29"])
        #expect(missed.map(\.duration) == [24 * hour, 23 * hour, 24 * hour])
        #expect(missed.last == latest)
        for (earlier, later) in zip(missed, missed.dropFirst()) {
            #expect(earlier.end == later.start)  // contiguous, no gaps or overlaps
        }
        #expect(Set(missed.map(\.key)).count == missed.count)
    }

    @Test("periods(endingBetween:and:) is half-open: (after, through]")
    func catchUpBounds() throws {
        let schedule = try self.schedule(.daily, "UTC", 0)
        let boundary = instant("2026-05-10T00:00:00Z")
        #expect(schedule.periods(endingBetween: boundary, and: boundary.addingTimeInterval(day - 1)).isEmpty)
        #expect(schedule.periods(endingBetween: boundary.addingTimeInterval(-1), and: boundary).map(\.key) == ["daily:2026-05-09"])
        #expect(schedule.periods(endingBetween: boundary, and: boundary).isEmpty)
        #expect(schedule.periods(endingBetween: boundary, and: boundary.addingTimeInterval(-day)).isEmpty)
    }

    @Test("periods(endingBetween:and:limit:) keeps the most recent ones")
    func catchUpLimit() throws {
        let schedule = try self.schedule(.daily, "UTC", 0)
        let periods = schedule.periods(endingBetween: .distantPast, and: instant("2026-05-10T12:00:00Z"), limit: 3)
        #expect(periods.map(\.key) == ["daily:2026-05-07", "daily:2026-05-08", "daily:2026-05-09"])
    }

    @Test("Weekly catch-up over a month returns Monday-started weeks")
    func weeklyCatchUp() throws {
        let schedule = try self.schedule(.weekly, "America/New_York", 9)
        let periods = schedule.periods(endingBetween: instant("2026-02-28T00:00:00Z"), and: instant("2026-03-31T00:00:00Z"))
        #expect(periods.map(\.key) == ["weekly:2026-02-23", "weekly:2026-03-02", "weekly:2026-03-09", "weekly:2026-03-16", "weekly:2026-03-23"])
    }

    // MARK: Never and invalid input

    @Test("never has no periods")
    func never() throws {
        let schedule = try self.schedule(.never, "UTC", 8)
        #expect(schedule.latestEndedPeriod(at: Date()) == nil)
        #expect(schedule.periods(endingBetween: .distantPast, and: Date()).isEmpty)
        #expect(schedule.nextPeriodEnd(after: Date()) == nil)
    }

    @Test("Unknown time zones and hours outside 0…23 are refused")
    func invalidInput() {
        #expect { try self.schedule(.daily, "Mars/Olympus_Mons", 8) } throws: { error in
            (error as? DeliveryError)?.code == .invalidTimeZone && "\(error)".contains("Mars/Olympus_Mons")
        }
        for badHour in [-1, 24, 100] {
            #expect { try self.schedule(.daily, "UTC", badHour) } throws: { error in
                (error as? DeliveryError)?.code == .invalidDigestHour
            }
        }
        #expect(throws: Never.self) { try self.schedule(.daily, "UTC", 0) }
        #expect(throws: Never.self) { try self.schedule(.daily, "UTC", 23) }
    }

    // MARK: Invariants over a whole year

    @Test(
        "Invariants every 5 hours through 2026",
        arguments: ["Europe/Berlin", "America/New_York", "Pacific/Auckland", "UTC", "Australia/Lord_Howe"],
        [DigestFrequency.daily, .weekly, .monthly]
    )
    func invariants(zone: String, frequency: DigestFrequency) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let endOfYear = instant("2027-01-01T00:00:00Z")
        for hourOfDay in [0, 2, 9, 23] {
            let schedule = try DigestSchedule(frequency: frequency, timeZone: timeZone, hour: hourOfDay)
            var now = instant("2026-01-01T00:00:00Z")
            var previous: DigestPeriod?
            while now < endOfYear {
                let period = try #require(schedule.latestEndedPeriod(at: now))
                let next = try #require(schedule.nextPeriodEnd(after: now))
                // Plain checks in the hot loop (an #expect per iteration would dominate the run
                // time); any violation is recorded with its context.
                var violations: [String] = []
                if !(period.start < period.end) { violations.append("start not before end") }
                if !(period.end <= now) { violations.append("period has not ended") }
                if !(now < next) { violations.append("next end not in the future") }
                if let previous, previous != period {
                    if previous.end != period.start { violations.append("not contiguous with \(previous)") }
                    if previous.key == period.key { violations.append("key repeated") }
                }
                // The end is at the user's hour in local time, unless a DST gap moved it later.
                let local = calendar.dateComponents([.hour, .minute, .weekday, .day], from: period.end)
                let shifted = timeZone.secondsFromGMT(for: period.end) != timeZone.secondsFromGMT(for: period.end.addingTimeInterval(-1))
                if !shifted, local.hour != hourOfDay || local.minute != 0 { violations.append("end not at \(hourOfDay):00 local") }
                if frequency == .weekly, !shifted, local.weekday != 2 { violations.append("weekly end not on a Monday") }
                if frequency == .monthly, !shifted, local.day != 1 { violations.append("monthly end not on the 1st") }
                if !violations.isEmpty {
                    Issue.record("\(zone) \(frequency) hour \(hourOfDay) at \(now): \(period): \(violations.joined(separator: "; "))")
                    return
                }
                previous = period
                now = now.addingTimeInterval(5 * hour)
            }
        }
    }
}
