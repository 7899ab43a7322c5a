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
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, Self.isValidDomain(String(parts[1])) else { return false }
        return parts[0].unicodeScalars.allSatisfy(Self.isAddressScalar) && parts[0].utf8.count <= 64
    }

    /// `true` for a domain usable after `@` or in a Message-ID: dot-separated non-empty labels of
    /// letters, digits, hyphens (and non-ASCII letters for IDNs).
    public static func isValidDomain(_ domain: String) -> Bool {
        guard !domain.isEmpty, domain.utf8.count <= 253 else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        }
    }

    private static func isAddressScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x21 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return false }
        return !"<>()[]\\,;:\"@".unicodeScalars.contains(scalar)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = self.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
