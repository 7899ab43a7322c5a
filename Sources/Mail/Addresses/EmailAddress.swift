/// A mailbox for a header: an address with an optional display name.
///
/// The address is validated strictly enough for header safety (one `@`, a non-empty local part
/// and domain, no whitespace, control characters, quotes, angle brackets, commas or semicolons);
/// the display name is sanitised (``HeaderSanitizer``) and always written as an RFC 5322
/// quoted-string, so a name can neither inject a header nor add a second address.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The bare address, e.g. `jane@example.com` (surrounding whitespace removed).
    public let address: String
    /// The display name after sanitising, or `nil` when absent or empty.
    public let name: String?

    /// Creates a mailbox.
    /// - Throws: `DeliveryError` `.invalidEmailAddress` when `address` is unusable.
    public init(_ address: String, name: String? = nil) throws {
        let trimmed = address.trimmingWhitespace()
        guard Self.isValid(trimmed) else {
            throw DeliveryError(code: .invalidEmailAddress, message: "'\(HeaderSanitizer.sanitize(address))' is not a usable email address")
        }
        self.address = trimmed
        let cleanName = name.map(HeaderSanitizer.sanitize)
        self.name = (cleanName?.isEmpty ?? true) ? nil : cleanName
    }

    /// `"Display Name" <address>`, or the bare address without a name. Quotes and backslashes in
    /// the name are escaped per RFC 5322 §3.2.4.
    public var formatted: String {
        guard let name else { return self.address }
        return "\(Self.quoted(name)) <\(self.address)>"
    }

    public var description: String { self.formatted }

    /// `text` as an RFC 5322 quoted-string (`"` and `\` escaped with a backslash).
    public static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        result.append("\"")
        return result
    }

    /// `true` for an address Herald can put in a header.
    public static func isValid(_ address: String) -> Bool {
        var address = address
        if let ascii = address.withUTF8(Self.isValidASCII) { return ascii }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, Self.isValidDomain(String(parts[1])) else { return false }
        return parts[0].unicodeScalars.allSatisfy(Self.isAddressScalar) && parts[0].utf8.count <= 64
    }

    /// `true` for a domain usable after `@` or in a Message-ID: dot-separated non-empty labels of
    /// letters, digits, hyphens (and non-ASCII letters for IDNs).
    public static func isValidDomain(_ domain: String) -> Bool {
        var domain = domain
        if let ascii = domain.withUTF8({ bytes in bytes.allSatisfy { $0 < 0x80 } ? Self.isValidASCIIDomain(bytes[...]) : nil }) {
            return ascii
        }
        guard !domain.isEmpty, domain.utf8.count <= 253 else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        }
    }

    // ASCII-only input is decided on bytes, with the same rules as the scalar checks below
    // (for ASCII, Unicode's Alphabetic is A–Z/a–z and White_Space is within 0x09–0x20); any other
    // input returns nil and takes the scalar path, which handles internationalised names.

    private static func isValidASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var at: Int?
        for index in bytes.indices {
            let byte = bytes[index]
            if byte >= 0x80 { return nil }
            if byte == UInt8(ascii: "@") {
                if at != nil { return false }
                at = index
            }
        }
        guard let at, at > 0, at <= 64 else { return false }
        for byte in bytes[..<at] where !Self.isAddressByte(byte) { return false }
        return Self.isValidASCIIDomain(bytes[(at + 1)...])
    }

    private static func isValidASCIIDomain(_ domain: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard !domain.isEmpty, domain.count <= 253 else { return false }
        var labelStart = domain.startIndex
        var index = domain.startIndex
        while true {
            if index == domain.endIndex || domain[index] == UInt8(ascii: ".") {
                let length = index - labelStart
                guard length > 0, length <= 63, domain[labelStart] != UInt8(ascii: "-"), domain[index - 1] != UInt8(ascii: "-") else {
                    return false
                }
                if index == domain.endIndex { return true }
                labelStart = index + 1
            } else {
                switch domain[index] {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"):
                    break
                default: return false
                }
            }
            index += 1
        }
    }

    private static func isAddressByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F: false
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "@"):
            false
        default: true
        }
    }

    private static func isAddressScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x21 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return false }
        return !"<>()[]\\,;:\"@".unicodeScalars.contains(scalar)
    }
}

extension String {
    /// The text without leading and trailing Unicode whitespace.
    package func trimmingWhitespace() -> String {
        // Nothing to trim when both ends are ASCII and not whitespace: skip the copy.
        if let first = self.utf8.first, let last = self.utf8.last, !Self.isASCIIWhitespaceOrNonASCII(first),
            !Self.isASCIIWhitespaceOrNonASCII(last)
        {
            return self
        }
        let scalars = self.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// True when the text is empty or only Unicode whitespace; unlike `trimmingWhitespace().isEmpty`
    /// it copies nothing and stops at the first visible character.
    var isBlank: Bool {
        for byte in self.utf8 {
            if byte >= 0x80 { return self.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
            if !Self.isASCIIWhitespaceOrNonASCII(byte) { return false }
        }
        return true
    }

    /// ASCII bytes that are Unicode White_Space (tab, LF, VT, FF, CR, space), or any non-ASCII byte.
    private static func isASCIIWhitespaceOrNonASCII(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
