public import Foundation

/// Text conversion of timestamps in the ISO style the server uses when `DateStyle = ISO` and
/// `TimeZone = UTC` (set on every connection). Hand-written because `DateFormatter` is slow
/// and locale-sensitive on the hot path of every job claim.
public enum PostgresTimestamp {
    /// Formats as `YYYY-MM-DD HH:MM:SS.ffffff+00` (UTC, microseconds, rounded).
    public static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        micros %= 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        let hh = secondOfDay / 3600, mm = (secondOfDay % 3600) / 60, ss = secondOfDay % 60
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2)).\(pad(micros, 6))+00"
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.f…]][±HH[:MM[:SS]]]` (also with `T`). A missing offset means UTC.
    /// Returns nil for anything else, including `infinity` and BC dates.
    public static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)[...]
        func number(_ digits: Int) -> Int64? {
            guard utf8.count >= digits else { return nil }
            var value: Int64 = 0
            for byte in utf8.prefix(digits) {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            utf8 = utf8.dropFirst(digits)
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard utf8.first == byte else { return false }
            utf8 = utf8.dropFirst()
            return true
        }
        var yearDigits = 0
        for byte in utf8 { if byte >= 48 && byte <= 57 { yearDigits += 1 } else { break } }
        guard yearDigits >= 4, let year = number(yearDigits), expect(45), let month = number(2), expect(45),
            let day = number(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = days(fromCivil: year, month, day) * 86_400
        var fraction = 0.0
        if let separator = utf8.first, separator == 32 || separator == 84 {
            utf8 = utf8.dropFirst()
            guard let hh = number(2), expect(58), let mm = number(2), expect(58), let ss = number(2) else { return nil }
            seconds += hh * 3600 + mm * 60 + ss
            if expect(46) {
                var scale = 0.1
                while let byte = utf8.first, byte >= 48 && byte <= 57 {
                    fraction += Double(byte - 48) * scale
                    scale /= 10
                    utf8 = utf8.dropFirst()
                }
            }
            if let sign = utf8.first, sign == 43 || sign == 45 {
                utf8 = utf8.dropFirst()
                guard let oh = number(2) else { return nil }
                var offset = oh * 3600
                if expect(58) { guard let om = number(2) else { return nil }; offset += om * 60 }
                if expect(58) { guard let os = number(2) else { return nil }; offset += os }
                seconds -= sign == 43 ? offset : -offset
            } else if utf8.first == 90 {  // "Z"
                utf8 = utf8.dropFirst()
            }
        }
        guard utf8.isEmpty else { return nil }
        // Round to microseconds so a value survives a round trip exactly.
        let micros = (fraction * 1_000_000).rounded() / 1_000_000
        return Date(timeIntervalSince1970: Double(seconds) + micros)
    }

    // Howard Hinnant's days_from_civil / civil_from_days, for every date of the proleptic Gregorian
    // calendar; `package` because the digests' `LocalDate` counts days with them too.

    /// Days since 1970-01-01 of a civil date (month 1…12; negative before 1970).
    package static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date (year, month 1…12, day) `days` days after 1970-01-01.
    package static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// bytea hex text (`\x0a1b…`).
enum PostgresHex {
    static func decodeBytea(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == 92, utf8[1] == 120, utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 97...102: byte - 87
        case 65...70: byte - 55
        default: nil
        }
    }
}

/// One-dimensional array literals (`{1,2,NULL,"a \"b\""}`).
enum PostgresArrayLiteral {
    /// The literal as text; see ``Builder``.
    static func encode(_ items: [String?]) -> String {
        var literal = Builder(count: items.count)
        for item in items { literal.append(item) }
        return String(decoding: literal.finish(), as: UTF8.self)
    }

    /// Builds a literal's UTF-8 bytes: every element double-quoted with `"` and `\` backslash-escaped,
    /// nil as `NULL`. Built on bytes, because the server parses the literal byte by byte: a quote
    /// fused with a combining mark into one `Character` must still be escaped.
    struct Builder {
        private var bytes: [UInt8] = [UInt8(ascii: "{")]
        private var empty = true

        /// `count` elements are expected (room for that many uuids is reserved).
        init(count: Int) { self.bytes.reserveCapacity(count * 39 + 2) }

        mutating func append(_ item: String?) {
            if !self.empty { self.bytes.append(UInt8(ascii: ",")) }
            self.empty = false
            guard var item else {
                self.bytes.append(contentsOf: "NULL".utf8)
                return
            }
            self.bytes.append(UInt8(ascii: "\""))
            item.withUTF8 { utf8 in
                var start = 0
                for index in utf8.indices where utf8[index] == UInt8(ascii: "\"") || utf8[index] == UInt8(ascii: "\\") {
                    self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    self.bytes.append(UInt8(ascii: "\\"))
                    start = index
                }
                self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
            }
            self.bytes.append(UInt8(ascii: "\""))
        }

        consuming func finish() -> [UInt8] {
            self.bytes.append(UInt8(ascii: "}"))
            return self.bytes
        }
    }

    /// Returns nil for malformed or multi-dimensional input; NULL elements are nil.
    static func decode(_ text: String) -> [String?]? {
        let chars = Array(text.utf8)
        guard chars.first == 123, chars.last == 125 else { return nil }
        var items: [String?] = []
        var index = 1
        let end = chars.count - 1
        if index == end { return [] }
        while index < end {
            if chars[index] == 34 {  // quoted
                var buffer: [UInt8] = []
                index += 1
                while index < end, chars[index] != 34 {
                    if chars[index] == 92 { index += 1 }
                    guard index < end else { return nil }
                    buffer.append(chars[index])
                    index += 1
                }
                guard index < end else { return nil }
                index += 1
                items.append(String(decoding: buffer, as: UTF8.self))
            } else {
                let start = index
                while index < end, chars[index] != 44 { index += 1 }
                let raw = String(decoding: chars[start..<index], as: UTF8.self)
                if raw.hasPrefix("{") { return nil }
                items.append(raw == "NULL" ? nil : raw)
            }
            if index < end {
                guard chars[index] == 44 else { return nil }
                index += 1
            }
        }
        return items
    }
}
