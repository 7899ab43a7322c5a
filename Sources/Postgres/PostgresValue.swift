import Foundation

/// A parameter ready to be sent to the server: a type OID and its bytes in text or binary format.
public struct PostgresValue: Sendable, Hashable {
    /// The format of `bytes`.
    public enum Format: Int32, Sendable { case text = 0, binary = 1 }

    /// The parameter's type OID; 0 lets the server infer it from context.
    public var oid: UInt32
    /// The value's bytes, or nil for SQL NULL.
    public var bytes: [UInt8]?
    /// Text or binary.
    public var format: Format

    public init(oid: UInt32, bytes: [UInt8]?, format: Format = .text) {
        self.oid = oid
        self.bytes = bytes
        self.format = format
    }

    /// A text-format value.
    public init(oid: UInt32, text: String) {
        self.init(oid: oid, bytes: Array(text.utf8), format: .text)
    }

    /// SQL NULL of unspecified type.
    public static let null = PostgresValue(oid: 0, bytes: nil)
}

/// Well-known type OIDs (from `pg_type`).
public enum PostgresOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let char: UInt32 = 18
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let interval: UInt32 = 1186
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let boolArray: UInt32 = 1000
    public static let int2Array: UInt32 = 1005
    public static let int4Array: UInt32 = 1007
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
    public static let int8Array: UInt32 = 1016
    public static let uuidArray: UInt32 = 2951
    public static let timestamptzArray: UInt32 = 1185

    /// Human-readable name of an OID, for error messages.
    public static func name(of oid: UInt32) -> String {
        switch oid {
        case bool: "boolean"
        case bytea: "bytea"
        case int8: "bigint"
        case int2: "smallint"
        case int4: "integer"
        case text: "text"
        case json: "json"
        case float4: "real"
        case float8: "double precision"
        case varchar: "varchar"
        case date: "date"
        case timestamp: "timestamp"
        case timestamptz: "timestamptz"
        case interval: "interval"
        case numeric: "numeric"
        case uuid: "uuid"
        case jsonb: "jsonb"
        case int8Array: "bigint[]"
        case int4Array: "integer[]"
        case textArray: "text[]"
        case uuidArray: "uuid[]"
        default: "oid \(oid)"
        }
    }
}

/// A Swift value that can be bound as a query parameter.
public protocol PostgresBindable: Sendable {
    /// The value as sent to the server.
    var postgresValue: PostgresValue { get }
}

/// A Swift value that can be decoded from a result column (text format).
public protocol PostgresDecodable: Sendable {
    /// Column types this Swift type accepts; nil accepts any type.
    static var acceptedOIDs: Set<UInt32>? { get }
    /// Decodes the text representation the server sent for a column of type `oid`.
    /// Throws a `PostgresError` with code `.decoding` when the text is not a valid value.
    init(postgresText text: String, oid: UInt32) throws
}

/// Swift types that can be elements of a bound one-dimensional array (and, when also
/// `PostgresDecodable`, of a decoded one). `Optional` elements bind as NULL.
public protocol PostgresArrayElement: PostgresBindable {
    /// The OID of the array type (`int8[]`, `text[]`, `uuid[]` …).
    static var arrayOID: UInt32 { get }
    /// The element's text representation inside an array literal, before quoting; nil is NULL.
    var postgresArrayText: String? { get }
}

/// SQL NULL, bindable where a typed `Optional.none` is awkward to write.
public struct PostgresNull: PostgresBindable {
    public init() {}
    public var postgresValue: PostgresValue { .null }
}

/// A jsonb value, carried as its JSON text.
public struct PostgresJSON: PostgresArrayElement, PostgresDecodable, Hashable, CustomStringConvertible {
    /// The JSON document as text.
    public var text: String

    /// Wraps JSON text as is; the server validates it.
    public init(_ text: String) { self.text = text }

    /// Encodes a value with `JSONEncoder` (sorted keys, so equal values give equal text).
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document with `JSONDecoder`.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(text.utf8))
    }

    public var postgresValue: PostgresValue { PostgresValue(oid: PostgresOID.jsonb, text: text) }
    public static var acceptedOIDs: Set<UInt32>? { [PostgresOID.json, PostgresOID.jsonb, PostgresOID.text] }
    public init(postgresText text: String, oid: UInt32) throws { self.text = text }
    public var description: String { text }
    public static var arrayOID: UInt32 { 3807 }
    public var postgresArrayText: String? { text }
}
