public import Foundation

/// The accepted column types, built once: a `Set` literal in a getter is built on every decode.
private enum AcceptedOIDs {
    static let integers: Set<UInt32> = [PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.oid]
    static let int32: Set<UInt32> = [PostgresOID.int2, PostgresOID.int4]
    static let double: Set<UInt32> = [PostgresOID.float4, PostgresOID.float8, PostgresOID.numeric, PostgresOID.int2, PostgresOID.int4, PostgresOID.int8]
    static let bool: Set<UInt32> = [PostgresOID.bool]
    static let uuid: Set<UInt32> = [PostgresOID.uuid, PostgresOID.text, PostgresOID.varchar]
    static let date: Set<UInt32> = [PostgresOID.timestamptz, PostgresOID.timestamp, PostgresOID.date]
    static let bytea: Set<UInt32> = [PostgresOID.bytea]
    /// Columns whose text a `String` refuses to decode.
    static let notString: Set<UInt32> = [PostgresOID.bytea, PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.bool,
        PostgresOID.float4, PostgresOID.float8]
}

private func decodingError(_ text: String, as type: String, oid: UInt32) -> PostgresError {
    PostgresError(code: .decoding, message: "cannot decode \(PostgresOID.name(of: oid)) value as \(type)")
}

/// `parse(text)`, or the decoding error that names `T` and the column's type when it gives nil.
private func decode<T>(_ text: String, oid: UInt32, _ parse: (String) -> T?) throws(PostgresError) -> T {
    guard let value = parse(text) else { throw decodingError(text, as: "\(T.self)", oid: oid) }
    return value
}

extension String: PostgresArrayElement, PostgresDecodable {
    /// Unknown OID: the server infers the parameter's type (text, uuid, an enum …) from context.
    public var postgresValue: PostgresValue { PostgresValue(oid: 0, text: self) }
    /// Strings decode from any column except the binary and numeric built-ins, whose text
    /// form is almost never what the caller meant.
    public static var acceptedOIDs: Set<UInt32>? { nil }
    public init(postgresText text: String, oid: UInt32) throws {
        if AcceptedOIDs.notString.contains(oid) {
            throw decodingError(text, as: "String", oid: oid)
        }
        self = text
    }
    public static var arrayOID: UInt32 { PostgresOID.textArray }
    public var postgresArrayText: String? { self }
}

extension Int64: PostgresArrayElement, PostgresDecodable {
    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.int8, text: String(self)) }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.integers }
    public init(postgresText text: String, oid: UInt32) throws {
        self = try decode(text, oid: oid) { Int64($0) }
    }
    public static var arrayOID: UInt32 { PostgresOID.int8Array }
    public var postgresArrayText: String? { String(self) }
}

/// A 64-bit `Int` is a `bigint`, bound, accepted and put in arrays exactly as `Int64`.
extension Int: PostgresArrayElement, PostgresDecodable {
    public var postgresValue: PostgresValue { Int64(self).postgresValue }
    public static var acceptedOIDs: Set<UInt32>? { Int64.acceptedOIDs }
    public init(postgresText text: String, oid: UInt32) throws {
        self = try decode(text, oid: oid) { Int($0) }
    }
    public static var arrayOID: UInt32 { Int64.arrayOID }
    public var postgresArrayText: String? { Int64(self).postgresArrayText }
}

extension Int32: PostgresBindable, PostgresDecodable {
    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.int4, text: String(self)) }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.int32 }
    public init(postgresText text: String, oid: UInt32) throws {
        self = try decode(text, oid: oid) { Int32($0) }
    }
}

extension Double: PostgresBindable, PostgresDecodable {
    public var postgresValue: PostgresValue {
        let text: String
        if isNaN { text = "NaN" } else if isInfinite { text = self > 0 ? "Infinity" : "-Infinity" } else { text = "\(self)" }
        return PostgresValue(oid: PostgresOID.float8, text: text)
    }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.double }
    public init(postgresText text: String, oid: UInt32) throws {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            self = try decode(text, oid: oid) { Double($0) }
        }
    }
}

extension Bool: PostgresArrayElement, PostgresDecodable {
    public static var arrayOID: UInt32 { PostgresOID.boolArray }
    public var postgresArrayText: String? { self ? "t" : "f" }
    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.bool, text: self ? "t" : "f") }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.bool }
    public init(postgresText text: String, oid: UInt32) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(text, as: "Bool", oid: oid)
        }
    }
}

extension UUID: PostgresArrayElement, PostgresDecodable {
    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.uuid, text: lowercasedString) }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.uuid }
    public init(postgresText text: String, oid: UInt32) throws {
        self = try decode(text, oid: oid) { UUID(postgresUUIDText: $0) }
    }
    public static var arrayOID: UInt32 { PostgresOID.uuidArray }
    public var postgresArrayText: String? { lowercasedString }
}

extension Date: PostgresArrayElement, PostgresDecodable {
    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.timestamptz, text: PostgresTimestamp.format(self)) }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.date }
    public init(postgresText text: String, oid: UInt32) throws {
        self = try decode(text, oid: oid) { PostgresTimestamp.parse($0) }
    }
    public static var arrayOID: UInt32 { PostgresOID.timestamptzArray }
    public var postgresArrayText: String? { PostgresTimestamp.format(self) }
}

/// bytea, sent in binary format and decoded from the server's hex text format.
extension Data: PostgresBindable, PostgresDecodable {
    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.bytea, bytes: Array(self), format: .binary) }
    public static var acceptedOIDs: Set<UInt32>? { AcceptedOIDs.bytea }
    public init(postgresText text: String, oid: UInt32) throws {
        self = try decode(text, oid: oid) { PostgresHex.decodeBytea($0).map { Data($0) } }
    }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var arrayOID: UInt32 { Wrapped.arrayOID }
    public var postgresArrayText: String? { self?.postgresArrayText }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresValue: PostgresValue {
        switch self {
        case .some(let value): value.postgresValue
        case .none: .null
        }
    }
}

extension Array: PostgresBindable where Element: PostgresArrayElement {
    public var postgresValue: PostgresValue {
        // A plain loop: a key path or lazy map over the generic Element costs more than the encoding.
        var literal = PostgresArrayLiteral.Builder(count: count)
        for element in self { literal.append(element.postgresArrayText) }
        return PostgresValue(oid: Element.arrayOID, bytes: literal.finish(), format: .text)
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement & PostgresDecodable {
    public static var acceptedOIDs: Set<UInt32>? { nil }
    public init(postgresText text: String, oid: UInt32) throws {
        guard let items = PostgresArrayLiteral.decode(text) else {
            throw decodingError(text, as: "Array", oid: oid)
        }
        self = try items.map { item in
            guard let item else {
                throw PostgresError(code: .decoding, message: "array contains NULL, which \(Element.self) cannot hold")
            }
            return try Element(postgresText: item, oid: 0)
        }
    }
}
