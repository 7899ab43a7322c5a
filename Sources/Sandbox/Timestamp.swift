import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Date formats the providers use, built with `gmtime_r` (cheap, allocation-light, no shared formatter).
enum Timestamp {
    /// ISO 8601 in UTC with milliseconds, as Postmark's `SubmittedAt`, `DeliveredAt`, `BouncedAt`, `ReceivedAt`:
    /// `2026-11-29T10:08:59.123Z`.
    static func iso8601(_ date: Date) -> String {
        let (parts, millis) = components(date)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(millis, 3))Z"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 2822 in GMT, as Twilio's `date_created` and an email `Date` header: `Sun, 29 Nov 2026 10:08:59 +0000`.
    static func rfc2822(_ date: Date) -> String {
        let (parts, _) = components(date)
        return "\(weekdays[Int(parts.tm_wday)]), \(pad(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(pad(parts.tm_year + 1900, 4)) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)) +0000"
    }

    private static func pad(_ value: Int32, _ width: Int = 2) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func components(_ date: Date) -> (tm, Int32) {
        let interval = date.timeIntervalSince1970
        let seconds = floor(interval)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (parts, Int32(min(999, max(0, ((interval - seconds) * 1000).rounded(.down)))))
    }
}

/// Identifiers in the providers' formats.
enum Identifier {
    /// A Postmark MessageID: a lowercase random (version 4) UUID.
    static func postmarkMessageID() -> String {
        UUID().uuidString.lowercased()
    }

    /// A Twilio SID: the two-letter prefix and 32 lowercase hex digits.
    static func twilioSID(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + hex(generator.next()) + hex(generator.next())
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
