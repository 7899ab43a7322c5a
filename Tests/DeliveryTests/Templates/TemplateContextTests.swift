import Foundation
import HeraldJSON
import HeraldTestSupport
@testable import Notifications
import Testing

/// A notification's `data` as a template context: `JSONValue(parsing:)` (HeraldJSON) and its
/// ``JSONValue/mustacheValue`` against what `JSONDecoder` makes of the same text when each value
/// is decoded as the first of Bool, Int, Double, String, array, object that fits (so `3.0` is the
/// integer 3, and `{{count}}` renders `3`).
@Suite("Notification data as a template context")
struct TemplateContextTests {
    static let documents: [String] = [
        #"{"name":"Ada","task":{"title":"Ship","count":2,"done":false},"items":[1,2.5,null,"x"]}"#,
        #"{"count":3,"three":3.0,"hundred":1e2,"zero":-0,"minusZero":-0.0,"tenth":0.1e1,"half":0.5,"big":9223372036854775807}"#,
        #"{"beyond":9223372036854775808,"huge":1e300,"tiny":1e-400,"rounded":9007199254740992.0,"integral":1234567890123456.0}"#,
        #"{"min":-9223372036854775808,"almost":9223372036854775807.0,"exp":-1.5E-3,"neg":-42}"#,
        #"{"text":"\u00e9\ud83d\ude00 \/ \" \\ \n","empty":"","nested":[[[{"a":[]}]]],"obj":{}}"#,
        #"{"title":"Payment overdue","amount":1234.5,"invoice":{"number":"INV-42","lines":[{"name":"Rent","cents":120000}]},"urgent":true,"note":null}"#,
        "[1,2,3]", #""string""#, "true", "null", "17", "2.5",
    ]

    private func ours(_ text: String) throws -> FoundationAny {
        FoundationAny(plain: try JSONValue(parsing: text).mustacheValue)
    }

    /// `JSONDecoder`'s reading, the reference, without the null members a context leaves out.
    private func foundation(_ text: String) throws -> FoundationAny {
        try #require(FoundationAny.decode(Array(text.utf8)), "\(text)").withoutNullMembers
    }

    @Test("The same values as JSONDecoder for integers, doubles and everything else")
    func matchesDecodable() throws {
        for text in Self.documents {
            #expect(try ours(text) == foundation(text), "\(text)")
        }
        #expect(
            try ours(Self.documents[1])
                == .object([
                    "count": .integer(3), "three": .integer(3), "hundred": .integer(100), "zero": .integer(0), "minusZero": .integer(0), "tenth": .integer(1),
                    "half": .number(0.5), "big": .integer(Int.max),
                ]))
    }

    @Test("Beyond 2^53, a literal with a fraction or exponent is read as a Double first (JSONDecoder reads its digits)")
    func beyondDoublePrecision() throws {
        // Both give integers; HeraldJSON's value is the nearest Double's, JSONDecoder's the digits
        // (truncated when there is a fraction). Integer literals are exact in both.
        let text = #"{"rounded":9007199254740993.0,"fraction":12345678901234567.5,"exact":9007199254740993}"#
        #expect(try ours(text) == .object(["rounded": .integer(9_007_199_254_740_992), "fraction": .integer(12_345_678_901_234_568), "exact": .integer(9_007_199_254_740_993)]))
        #expect(try foundation(text) == .object(["rounded": .integer(9_007_199_254_740_993), "fraction": .integer(12_345_678_901_234_567), "exact": .integer(9_007_199_254_740_993)]))
    }

    @Test("Random documents: the same values as JSONDecoder")
    func randomDocuments() throws {
        var generator = SeededGenerator(seed: 0x7E3F)
        func number(_ generator: inout SeededGenerator) -> String {
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: return String(Int.random(in: Int.min...Int.max, using: &generator))
            case 1: return String(Int.random(in: -1000...1000, using: &generator)) + ".0"
            case 2: return "\(Int.random(in: 1...9, using: &generator))e\(Int.random(in: 0...25, using: &generator))"
            case 3: return String(Double.random(in: -1e6...1e6, using: &generator))
            case 4: return String(Int.max - Int.random(in: 0...10, using: &generator)) + (Bool.random(using: &generator) ? "" : "0")
            case 5: return "-0" + (Bool.random(using: &generator) ? "" : ".0")
            default: return "\(Int.random(in: 0...99, using: &generator)).\(Int.random(in: 0...99, using: &generator))e-\(Int.random(in: 0...5, using: &generator))"
            }
        }
        func value(_ depth: Int, _ generator: inout SeededGenerator) -> String {
            switch Int.random(in: 0..<(depth < 3 ? 8 : 5), using: &generator) {
            case 0: return "null"
            case 1: return Bool.random(using: &generator) ? "true" : "false"
            case 2, 3: return number(&generator)
            case 4: return "\"s\(Int.random(in: 0...99, using: &generator))\\n\\u00e9\""
            case 5: return "[" + (0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth + 1, &generator) }.joined(separator: ",") + "]"
            default:
                return "{" + (0..<Int.random(in: 0...4, using: &generator)).map { "\"k\($0)\":" + value(depth + 1, &generator) }.joined(separator: ",") + "}"
            }
        }
        for round in 0..<1500 {
            let text = value(0, &generator)
            #expect(try ours(text) == foundation(text), "round \(round): \(text)")
        }
    }

    @Test("Of a repeated key the last member counts, a null one included")
    func repeatedKeys() {
        let nullLast: JSONValue = .object([("a", 1), ("b", 2), ("a", nil)])
        #expect(FoundationAny(plain: nullLast.mustacheValue) == .object(["b": .integer(2)]))
        let valueLast: JSONValue = .object([("a", nil), ("a", "x")])
        #expect(FoundationAny(plain: valueLast.mustacheValue) == .object(["a": .string("x")]))
        let literal: JSONValue = ["b": 1.5, "a": [nil, true, "x", 2.0]]
        #expect(FoundationAny(plain: literal.mustacheValue)
            == .object(["b": .number(1.5), "a": .array([.null, .bool(true), .string("x"), .integer(2)])]))
    }

    @Test("The data's members win over the ones Herald adds; data that is not an object adds nothing")
    func overlay() throws {
        let base: [(key: String, value: JSONValue)] = [("type", "task.assigned"), ("priority", "high")]
        let context = JSONValue.context(base, overlaidWith: #"{"priority":"from data","url":"https://x.example"}"#)
        #expect(context == ["type": "task.assigned", "priority": "from data", "url": "https://x.example"])
        guard case .object(let members) = context else { Issue.record("not an object"); return }
        #expect(members.count == 3)  // no key twice
        for data in ["[1,2]", "\"text\"", "null", "{not json", ""] {
            #expect(JSONValue.context(base, overlaidWith: data) == ["type": "task.assigned", "priority": "high"], "\(data)")
        }
    }
}

extension FoundationAny {
    /// Objects without their null members, which a template context leaves out.
    fileprivate var withoutNullMembers: FoundationAny {
        switch self {
        case .array(let elements): .array(elements.map(\.withoutNullMembers))
        case .object(let members): .object(members.filter { $0.value != .null }.mapValues(\.withoutNullMembers))
        default: self
        }
    }

    /// The plain Swift values of a `mustacheValue`.
    fileprivate init(plain: Any?) {
        switch plain {
        case nil, is NSNull: self = .null
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .integer(value)
        case let value as Double: self = .number(value)
        case let value as String: self = .string(value)
        case let value as [Any]: self = .array(value.map(FoundationAny.init(plain:)))
        case let value as [String: Any]: self = .object(value.mapValues(FoundationAny.init(plain:)))
        default: self = .string("unexpected \(type(of: plain))")
        }
    }
}
