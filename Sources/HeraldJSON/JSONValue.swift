/// A JSON value (RFC 8259), as parsed by `init(parsing:maximumDepth:)` and written by ``JSONWriter``.
///
/// Numbers: a literal without fraction or exponent that fits an `Int` is ``int(_:)``; every other
/// number (`2.5`, `1e3`, `-0`, `9223372036854775808`) is ``double(_:)``, rounded to nearest.
///
/// Objects keep their members in document order, as an array of key–value pairs. That keeps
/// parsing free of hashing (the hot readers look up a handful of known keys, see
/// ``subscript(_:)``), and writing a parsed value back gives the same member order. The parser
/// never produces two members with the same key: a repeated key replaces the earlier value in
/// place (the last one wins, as with `JSONSerialization`). Keys compare as Swift strings (by
/// canonical equivalence, as Foundation's dictionaries do). Values built by hand should keep keys
/// unique too; lookups then see the last of equal keys.
public enum JSONValue: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer literal that fits `Int`.
    case int(Int)
    /// Any other number; always finite.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, its members in document order.
    case object([(key: String, value: JSONValue)])
}

extension JSONValue {
    /// The member named `key` of an object (the last one, should a hand-built object repeat it);
    /// nil when absent or when the value is not an object. A linear scan: meant for the small
    /// objects of API payloads — convert big ones with ``objectDictionary``.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members.reversed() where member.key == key { return member.value }
        return nil
    }

    /// Whether the value is `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The string, or nil for any other kind of value.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The boolean, or nil for any other kind of value (numbers are not booleans).
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The number as an `Int` when it is one exactly, as Foundation's `JSONDecoder` decodes
    /// `Int`: ``int(_:)`` as is, and a ``double(_:)`` with an integral value in range (`3.0`, `1e2`,
    /// `-0`); nil for fractions, out-of-range numbers and every other kind of value.
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    /// The number as a `Double` (an ``int(_:)`` converted, rounding beyond 2^53), or nil.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The elements of an array, or nil for any other kind of value.
    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    /// The members of an object in order, or nil for any other kind of value.
    public var objectMembers: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The members of an object as a dictionary (the last of equal keys wins), or nil for any
    /// other kind of value.
    public var objectDictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        var dictionary: [String: JSONValue] = [:]
        dictionary.reserveCapacity(members.count)
        for member in members { dictionary[member.key] = member.value }
        return dictionary
    }
}

/// JSON equality: objects are equal when they have the same keys with equal values, in any
/// order; ``int(_:)`` and ``double(_:)`` are different kinds, so `1` is not equal to `1.0`.
extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            if a.elementsEqual(b, by: { $0.key == $1.key && $0.value == $1.value }) { return true }
            return lhs.objectDictionary == rhs.objectDictionary
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}
