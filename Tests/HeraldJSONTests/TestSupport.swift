import Foundation
import HeraldTestSupport
import HeraldJSON

/// Random JSON values that stress escaping and numbers.
struct RandomJSON {
    var generator: SeededGenerator

    /// Characters that need care: quotes, backslashes, slashes, every control character, DEL,
    /// line/paragraph separators, BOM, noncharacters, combining marks, BMP and astral scalars.
    static let interesting: [Unicode.Scalar] =
        ["\"", "\\", "/", "\u{7F}", "\u{80}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "\u{10FFFF}",
         "é", "e", "\u{301}", "ß", "中", "😀", "👩", "\u{200D}", "🏳", "\u{FE0F}", " ", "a", "Z", "0", "<", ">", "&", "'"]
        + (0..<0x20).map { Unicode.Scalar(UInt8($0)) }

    mutating func scalar() -> Unicode.Scalar {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0..<4: return Self.interesting.randomElement(using: &generator)!
        case 4..<7: return Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &generator))
        case 7: return Unicode.Scalar(UInt32.random(in: 0x80...0xD7FF, using: &generator))!
        case 8: return Unicode.Scalar(UInt32.random(in: 0xE000...0xFFFF, using: &generator))!
        default: return Unicode.Scalar(UInt32.random(in: 0x10000...0x10FFFF, using: &generator))!
        }
    }

    mutating func string(maxLength: Int = 24) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &generator) { text.append(scalar()) }
        return String(text)
    }

    mutating func int() -> Int {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: return Int.max - Int.random(in: 0...3, using: &generator)
        case 1: return Int.min + Int.random(in: 0...3, using: &generator)
        case 2: return Int.random(in: -1000...1000, using: &generator)
        case 3: return Int.random(in: -(1 << 53)...(1 << 53), using: &generator)
        default: return Int.random(in: Int.min...Int.max, using: &generator)
        }
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: return Double.random(in: -1...1, using: &generator)
        case 1: return Double(Int.random(in: -100_000...100_000, using: &generator)) / 100
        case 2: return [0.1, 0.2, 0.3, 1e-7, 1e21, 1e22, 1e23, .leastNonzeroMagnitude, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789.125, 9007199254740992, 1e16]
            .randomElement(using: &generator)! * (Bool.random(using: &generator) ? 1 : -1)
        case 3: return Double(Int.random(in: -(1 << 60)...(1 << 60), using: &generator)) + 0.5
        default:
            // Any finite bit pattern.
            while true {
                let value = Double(bitPattern: generator.next())
                if value.isFinite { return value }
            }
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        let containers = depth < 4
        switch Int.random(in: 0..<(containers ? 9 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(int())
        case 3: return .double(double())
        case 4, 5: return .string(string())
        case 6, 7:
            return .object((0..<Int.random(in: 0...6, using: &generator)).map { index in
                (key: "\(index)" + string(maxLength: 6), value: value(depth: depth + 1))
            })
        default:
            return .array((0..<Int.random(in: 0...6, using: &generator)).map { _ in value(depth: depth + 1) })
        }
    }
}

/// A comparable picture of a JSON value from either side. Strings compare scalar by scalar (not by
/// canonical equivalence). Numbers compare exactly: as integers when both sides have integers,
/// otherwise as doubles (`JSONDecoder` reads `8.5e17` as the integer it spells).
indirect enum Canon: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string([Unicode.Scalar])
    case array([Canon])
    case object([String: Canon])

    static func == (lhs: Canon, rhs: Canon) -> Bool { lhs.matches(rhs, loosely: false) }

    /// `==` exactly, or (`loosely`) the way `JSONSerialization` on Linux can be compared: it reads
    /// some decimal numbers several ulps off (and big negative integers as doubles), and drops
    /// U+FEFF from strings. `JSONDecoder` and `Double(_:)` are exact: the parser is held to those
    /// exactly, elsewhere.
    func matches(_ other: Canon, loosely: Bool) -> Bool {
        func close(_ a: Double, _ b: Double) -> Bool { a == b || (loosely && (a - b).magnitude <= 1e-13 * max(a.magnitude, b.magnitude)) }
        func withoutBOM(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] { loosely ? scalars.filter { $0 != "\u{FEFF}" } : scalars }
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return close(Double(a), b)
        case (.number(let a), .number(let b)): return close(a, b)
        case (.string(let a), .string(let b)): return withoutBOM(a) == withoutBOM(b)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.matches($1, loosely: loosely) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            if !loosely { return a.allSatisfy { key, value in b[key].map { value == $0 } ?? false } }
            func stripped(_ object: [String: Canon]) -> [String: Canon] {
                Dictionary(object.map { (String(String.UnicodeScalarView($0.key.unicodeScalars.filter { $0 != "\u{FEFF}" })), $0.value) }, uniquingKeysWith: { a, _ in a })
            }
            let (strippedA, strippedB) = (stripped(a), stripped(b))
            return strippedA.count == strippedB.count
                && strippedA.allSatisfy { key, value in strippedB[key].map { value.matches($0, loosely: true) } ?? false }
        default: return false
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)d"
        case .string(let scalars): String(String.UnicodeScalarView(scalars)).debugDescription
        case .array(let values): "[\(values.map(\.description).joined(separator: ","))]"
        case .object(let members): "{\(members.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription):\($0.value)" }.joined(separator: ","))}"
        }
    }

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .integer(int)
        case .double(let double): self = .number(double)
        case .string(let string): self = .string(Array(string.unicodeScalars))
        case .array(let values): self = .array(values.map(Canon.init))
        case .object(let members):
            var object: [String: Canon] = [:]
            for member in members { object[member.key] = Canon(member.value) }
            self = .object(object)
        }
    }

    /// From what `JSONSerialization.jsonObject` returns on Linux.
    init(foundation any: Any) {
        switch any {
        case is NSNull: self = .null
        case let string as String: self = .string(Array(string.unicodeScalars))
        case let array as [Any]: self = .array(array.map { Canon(foundation: $0) })
        case let dictionary as [String: Any]: self = .object(dictionary.mapValues { Canon(foundation: $0) })
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c": self = .bool(number.boolValue)
            case "d", "f": self = .number(number.doubleValue)
            case "Q":
                self = number.uint64Value <= UInt64(Int.max) ? .integer(Int(number.uint64Value)) : .number(number.doubleValue)
            default: self = .integer(number.intValue)
            }
        default: self = .string(Array("<unexpected \(type(of: any))>".unicodeScalars))
        }
    }
}

extension FoundationAny {
    var canon: Canon {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .string(let value): .string(Array(value.unicodeScalars))
        case .array(let values): .array(values.map(\.canon))
        case .object(let members): .object(members.mapValues(\.canon))
        }
    }
}

/// The value as `JSONSerialization` takes it.
func foundationObject(_ value: JSONValue) -> Any {
    switch value {
    case .null: NSNull()
    case .bool(let bool): bool
    case .int(let int): int
    case .double(let double): double
    case .string(let string): string
    case .array(let values): values.map(foundationObject)
    case .object(let members): Dictionary(members.map { ($0.key, foundationObject($0.value)) }, uniquingKeysWith: { _, last in last })
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
