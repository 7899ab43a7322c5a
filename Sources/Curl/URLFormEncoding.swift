/// `application/x-www-form-urlencoded` bodies: `name=value` pairs joined by `&`, names and values
/// percent-encoded (RFC 3986 §2.1) as UTF-8 bytes. The one codec behind Twilio's form bodies on
/// both sides: Herald's Twilio client and webhooks, and the sandbox that stands in for Twilio.
///
/// Encoding keeps only the unreserved characters `A–Z a–z 0–9 - . _ ~` literal; a space is `%20`
/// or, as HTML forms write it, `+`. Decoding reads `+` as a space and `%XX` as a byte.
public enum URLFormEncoding {
    /// How an encoder writes a space.
    public enum Space: Sendable {
        /// `%20`, so a `+` in the output is always a literal plus.
        case percent
        /// `+`, as HTML forms (and Twilio's webhooks) send it.
        case plus
    }

    /// `name=value` pairs joined by `&`, in the given order.
    public static func encode(_ pairs: [(name: String, value: String)], space: Space) -> String {
        pairs.map { "\(encode($0.name, space: space))=\(encode($0.value, space: space))" }.joined(separator: "&")
    }

    /// `text` with every byte outside the unreserved set written as `%XX` (uppercase hex).
    public static func encode(_ text: String, space: Space) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: " ") where space == .plus:
                output.append(UInt8(ascii: "+"))
            default:
                output += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The pairs of a form body, in order; a field without `=` has an empty value, empty fields
    /// are skipped. Strict (`lenient` false): nil for a malformed `%` escape or a name or value
    /// that is not UTF-8. Lenient: a malformed escape stays as written and invalid UTF-8 becomes
    /// U+FFFD, so it never returns nil.
    public static func decode(_ body: some Sequence<UInt8>, lenient: Bool) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for field in Array(body).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = field.firstIndex(of: UInt8(ascii: "="))
            guard let name = decode(field[..<(equals ?? field.endIndex)], lenient: lenient) else { return nil }
            guard let value = equals.map({ decode(field[($0 + 1)...], lenient: lenient) }) ?? "" else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func decode(_ bytes: ArraySlice<UInt8>, lenient: Bool) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if index + 1 < bytes.endIndex, let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) {
                    output.append(high << 4 | low)
                    index += 2
                } else if lenient {
                    output.append(byte)
                } else {
                    return nil
                }
            default:
                output.append(byte)
            }
        }
        return lenient ? String(decoding: output, as: UTF8.self) : String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
