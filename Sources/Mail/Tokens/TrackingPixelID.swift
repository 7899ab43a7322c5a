/// The unique id of the 1x1 tracking pixel in one email to one recipient
/// (`discussion_email_tracking.tracking_pixel_id`).
///
/// 128 random bits from the system CSPRNG, as 32 lowercase hex characters: unguessable, URL-safe,
/// and case-stable.
public struct TrackingPixelID: Sendable, Hashable, Codable, RawRepresentable, CustomStringConvertible {
    /// The 32 lowercase hex characters.
    public let rawValue: String

    /// Accepts exactly 32 lowercase hex characters; anything else is `nil`.
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard bytes.count == 32, bytes.allSatisfy(Self.isLowercaseHex) else { return nil }
        self.rawValue = rawValue
    }

    /// A fresh id with 128 bits of randomness from `SystemRandomNumberGenerator`
    /// (getrandom/arc4random: cryptographically secure).
    public static func generate() -> TrackingPixelID {
        var generator = SystemRandomNumberGenerator()
        return Self.generate(using: &generator)
    }

    /// A fresh id drawn from `generator` (tests pass a seeded generator).
    public static func generate(using generator: inout some RandomNumberGenerator) -> TrackingPixelID {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            for shift in stride(from: 60, through: 0, by: -4) {
                text.append(digits[Int((word >> UInt64(shift)) & 0xF)])
            }
        }
        return TrackingPixelID(uncheckedRawValue: String(decoding: text, as: UTF8.self))
    }

    /// Parses the last path component of an open-pixel request: `<id>.gif` (or a bare `<id>`).
    public init?(pixelPath component: String) {
        let id = component.hasSuffix(".gif") ? String(component.dropLast(4)) : component
        self.init(rawValue: id)
    }

    public var description: String { self.rawValue }

    private init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let id = TrackingPixelID(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a tracking pixel id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}
