import Foundation

/// Any JSON through `JSONDecoder`: the reference for which documents Foundation's decoder accepts
/// (`JSONSerialization` on Linux accepts trailing commas, so it is not a strict reference).
public enum FoundationAny: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([FoundationAny])
    case object([String: FoundationAny])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([FoundationAny].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: FoundationAny].self))
        }
    }

    /// The value `JSONDecoder` reads from `bytes`, or nil when it refuses them.
    public static func decode(_ bytes: [UInt8]) -> FoundationAny? {
        try? JSONDecoder().decode(FoundationAny.self, from: Data(bytes))
    }
}
