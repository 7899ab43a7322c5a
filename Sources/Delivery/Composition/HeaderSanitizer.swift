/// Makes untrusted text safe to place in an email header.
///
/// A header value must never contain a line break: CR or LF would let input start a new header
/// ("header injection"), e.g. a display name `Eve\r\nBcc: victim@example.com`. Every CR, LF,
/// other C0/C1 control character, DEL and Unicode line/paragraph separator is replaced by a space,
/// runs of whitespace collapse to one space, and the ends are trimmed.
public enum HeaderSanitizer {
    /// `value` with every character that could break or fold a header replaced as described above.
    public static func sanitize(_ value: String) -> String {
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
