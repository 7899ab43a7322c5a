import Foundation
import HeraldJSON
import Notifications
import Testing

/// `TemplateValue(parsingJSON:)` (HeraldJSON) against `JSONDecoder` and the `Decodable` form.
@Suite("TemplateValue from JSON")
struct TemplateValueJSONTests {
    static let documents: [String] = [
        #"{"name":"Ada","task":{"title":"Ship","count":2,"done":false},"items":[1,2.5,null,"x"]}"#,
        #"{"count":3,"three":3.0,"hundred":1e2,"zero":-0,"minusZero":-0.0,"tenth":0.1e1,"half":0.5,"big":9223372036854775807}"#,
        #"{"beyond":9223372036854775808,"huge":1e300,"tiny":1e-400,"rounded":9007199254740992.0,"integral":1234567890123456.0}"#,
        #"{"min":-9223372036854775808,"almost":9223372036854775807.0,"exp":-1.5E-3,"neg":-42}"#,
        #"{"text":"\u00e9\ud83d\ude00 \/ \" \\ \n","empty":"","nested":[[[{"a":[]}]]],"obj":{}}"#,
        #"{"title":"Payment overdue","amount":1234.5,"invoice":{"number":"INV-42","lines":[{"name":"Rent","cents":120000}]},"urgent":true,"note":null}"#,
        "[1,2,3]", #""string""#, "true", "null", "17", "2.5",
    ]

    @Test("The same values as JSONDecoder for integers, doubles and everything else")
    func matchesDecodable() throws {
        for text in Self.documents {
            let ours = try TemplateValue(parsingJSON: text)
            let foundation = try JSONDecoder().decode(TemplateValue.self, from: Data(text.utf8))
            #expect(ours == foundation, "\(text)")
            #expect(try TemplateValue(parsingJSON: Array(text.utf8)) == ours)
        }
        let numbers = try TemplateValue(parsingJSON: Self.documents[1])
        #expect(numbers == ["count": 3, "three": 3, "hundred": 100, "zero": 0, "minusZero": 0, "tenth": 1, "half": 0.5, "big": .int(Int.max)])
    }

    @Test("Beyond 2^53, a literal with a fraction or exponent is read as a Double first (JSONDecoder reads its digits)")
    func beyondDoublePrecision() throws {
        // Both give .int; HeraldJSON's value is the nearest Double's, JSONDecoder's the digits
        // (truncated when there is a fraction). Integer literals are exact in both.
        let text = #"{"rounded":9007199254740993.0,"fraction":12345678901234567.5,"exact":9007199254740993}"#
        #expect(try TemplateValue(parsingJSON: text) == ["rounded": .int(9_007_199_254_740_992), "fraction": .int(12_345_678_901_234_568), "exact": .int(9_007_199_254_740_993)])
        #expect(try JSONDecoder().decode(TemplateValue.self, from: Data(text.utf8)) == ["rounded": .int(9_007_199_254_740_993), "fraction": .int(12_345_678_901_234_567), "exact": .int(9_007_199_254_740_993)])
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
            let ours = try TemplateValue(parsingJSON: text)
            let foundation = try JSONDecoder().decode(TemplateValue.self, from: Data(text.utf8))
            #expect(ours == foundation, "round \(round): \(text)")
        }
    }

    @Test("Invalid JSON throws with the byte offset")
    func invalid() {
        let error = #expect(throws: JSONParseError.self) { try TemplateValue(parsingJSON: #"{"a":1,}"#) }
        #expect(error?.code == .trailingComma && error?.offset == 7)
    }

    @Test("From a JSONValue: object members become a dictionary")
    func fromJSONValue() {
        let value = TemplateValue(json: ["b": 1.5, "a": [nil, true, "x", 2.0]])
        #expect(value == ["b": 1.5, "a": [nil, true, "x", 2]])
    }
}
