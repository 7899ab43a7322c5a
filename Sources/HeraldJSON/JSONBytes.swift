/// Byte classes shared by the parser and the writer: the bytes a string literal cannot hold as
/// they are (`"`, `\` and the control characters below U+0020), tested a byte or eight at a time.
enum JSONBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether a byte must be escaped in a string literal (or ends a string when parsing).
    @inline(__always)
    static func byteNeedsAttention(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Whether any of the eight bytes of `word` needs attention. Exact: no false positives, so a
    /// `false` lets the caller skip all eight bytes.
    @inline(__always)
    static func wordNeedsAttention(_ word: UInt64) -> Bool {
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        // (x - 0x01…) & ~x & 0x80… is nonzero exactly when some byte of x is zero (or, with
        // 0x20… subtracted, below 0x20).
        let zeroQuote = (quotes &- ones) & ~quotes
        let zeroBackslash = (backslashes &- ones) & ~backslashes
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highBits != 0
    }
}

/// Strict UTF-8 validation, for strings that are not pure ASCII (the standard library's
/// `String(validating:)` is generic and, unspecialised, several times slower).
enum UTF8Validation {
    /// The offset of the first byte of the first ill-formed sequence, or `bytes.count` when all
    /// are well-formed (Unicode's definition: no overlong forms, surrogates or values above U+10FFFF).
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        let count = bytes.count
        while index < count {
            if let base = bytes.baseAddress {
                // Runs of ASCII, eight bytes at a time.
                let raw = UnsafeRawPointer(base)
                while index + 8 <= count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
            }
            let lead = bytes[index]
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0x00...0x7F:
                index += 1
                continue
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            guard (lower...upper).contains(bytes[index + 1]) else { return index }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return index }
            index += length
        }
        return count
    }
}
