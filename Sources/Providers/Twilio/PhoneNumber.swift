/// A phone number in E.164 form (`+` then 2 to 15 digits, the first not 0), e.g. `+4915123456789`.
///
/// Herald only forgives whitespace (leading, trailing and grouping spaces, including non-breaking
/// ones); anything else that does not match `^\+[1-9]\d{1,14}$` with ASCII digits is refused, so an
/// SMS never goes to a number Herald had to guess.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The normalised E.164 string, e.g. `+14155552671`.
    public let e164: String

    /// Normalises and validates `raw`; returns `nil` when it is not a valid E.164 number.
    public init?(_ raw: String) {
        guard let normalized = Self.normalize(raw) else { return nil }
        self.e164 = normalized
    }

    /// `raw` with all whitespace removed, when the result is valid E.164; otherwise `nil`.
    public static func normalize(_ raw: String) -> String? {
        let compact = String(String.UnicodeScalarView(raw.unicodeScalars.filter { !$0.properties.isWhitespace }))
        return isValidE164(compact) ? compact : nil
    }

    /// `true` when `string` matches `^\+[1-9]\d{1,14}$` exactly, with ASCII digits only.
    public static func isValidE164(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == UInt8(ascii: "+") else { return false }
        guard bytes[1] >= UInt8(ascii: "1"), bytes[1] <= UInt8(ascii: "9") else { return false }
        return bytes.dropFirst(2).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    public var description: String { self.e164 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let normalized = Self.normalize(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an E.164 phone number")
        }
        self.e164 = normalized
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.e164)
    }
}
