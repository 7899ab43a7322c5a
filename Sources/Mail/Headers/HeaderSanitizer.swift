/// Makes untrusted text safe to place in an email header.
///
/// A header value must never contain a line break: CR or LF would let input start a new header
/// ("header injection"), e.g. a display name `Eve\r\nBcc: victim@example.com`. Every CR, LF,
/// other C0/C1 control character, DEL and Unicode line/paragraph separator is replaced by a space,
/// runs of whitespace collapse to one space, and the ends are trimmed.
public enum HeaderSanitizer {
    /// `value` with every character that could break or fold a header replaced as described above.
    public static func sanitize(_ value: String) -> String {
        if Self.isAlreadyClean(value) { return value }
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if Self.isBreaking(scalar) || scalar.properties.isWhitespace {
                pendingSpace = !output.isEmpty
                continue
            }
            if pendingSpace {
                output.append(" ")
                pendingSpace = false
            }
            output.append(scalar)
        }
        return String(output)
    }

    /// `true` when `sanitize` would return `value` unchanged because it is printable ASCII with
    /// single inner spaces: the usual case, answered without building a copy.
    private static func isAlreadyClean(_ value: String) -> Bool {
        var previous = UInt8(ascii: " ")  // a leading space is not clean
        for byte in value.utf8 {
            switch byte {
            case 0x21...0x7E: break
            case 0x20 where previous != 0x20: break
            default: return false
            }
            previous = byte
        }
        return previous != 0x20  // nor is a trailing one (or an empty value, which is clean anyway)
            || value.isEmpty
    }

    /// `true` when `value` can be used as a header value as is.
    public static func isSafe(_ value: String) -> Bool {
        !value.unicodeScalars.contains(where: Self.isBreaking)
    }

    private static func isBreaking(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }
}
