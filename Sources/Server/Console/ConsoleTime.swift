import Foundation
import HTTPTypes

/// Times typed by an operator, in UTC: `2026-12-01`, `2026-12-01 08:00`, `2026-12-01T08:00:00Z`,
/// or relative to now: `15m`, `2h`, `7d`.
enum ConsoleTime {
    static func parse(_ text: String, field: String, now: Date = Date()) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, "mhd".contains(unit), let amount = Int(trimmed.dropLast()), amount >= 0, amount <= 100_000 {
            let seconds = Double(amount) * (unit == "m" ? 60 : unit == "h" ? 3600 : 86400)
            return now.addingTimeInterval(-seconds)
        }
        var normalized = trimmed.replacingOccurrences(of: "T", with: " ")
        if normalized.hasSuffix("Z") { normalized.removeLast() }
        for format in ["yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: normalized) { return date }
        }
        throw Refusal(HeraldServer.text(.badRequest, "\(field): use a UTC time like 2026-12-01 08:00, or 15m / 2h / 7d ago"))
    }

    /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC (parses back to the same instant, to the millisecond).
    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return formatter.string(from: date)
    }
}
