import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// HeraldJSON against Foundation on a fixed corpus and on thousands of random values.
@Suite("HeraldJSON against Foundation")
struct FoundationEquivalenceTests {
    static let corpus: [String] = [
        "null", "true", "false", "0", "-0", "1", "-1", "0.5", "-0.5", "1e10", "1E-10", "1.5e+3", "123456789012345678",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e308", "2.2250738585072014e-308",
        #""""#, #""\u0000""#, #""\ud83d\ude00""#, #""\/\b\f\n\r\t\"\\""#, "\"é😀\u{2028}\"", #""\u00e9""#,
        "[]", "{}", "[[[[]]]]", #"{"a":{"b":{"c":[1,{"d":null}]}}}"#, " [ 1 ,\n2\t,\r3 ] ",
        #"{"To":"a@b.example","SubmittedAt":"2026-01-02T03:04:05.1234567-05:00","MessageID":"0a1b","ErrorCode":0,"Message":"OK"}"#,
        #"[{"ErrorCode":406,"Message":"inactive"},{"ErrorCode":300,"Message":"bad"},null,17]"#,
        #"{"title":"Payment overdue","amount":1234.5,"count":3,"items":[{"name":"Rent","cents":120000}],"urgent":true,"note":null}"#,
    ]

    /// Documents both HeraldJSON and JSONDecoder refuse.
    static let invalid: [String] = [
        "", " ", "01", "-01", "1.", ".5", "+1", "1e", "-", "[-]", "0x10", "NaN", "Infinity", "-Infinity",
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"a\u{01}b\"", "\"\t\"", #""\x""#, #""\u12""#, #""\u12G4""#,
        "[1 2]", #"{"a" 1}"#, #"{"a":1 "b":2}"#, "{1:2}", "{a:1}", "tru", "nul", "True", "[", "]", "{", "}", "1 2", "[1]]", "{}}",
        "'a'", "//c\n1", "/*x*/1", "1E400", "-1E400", "[01]", #"{"a"}"#, #"{"a":}"#, "[,]", "[1,,2]", #""abc"#,
    ]

    @Test("The corpus parses to what JSONSerialization and JSONDecoder read")
    func corpus() throws {
        for text in Self.corpus {
            let ours = try JSONValue(parsing: text)
            let serialization = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            #expect(Canon(ours).matches(Canon(foundation: serialization), loosely: true), "\(text)")
            let decoded = try #require(FoundationAny.decode(bytes(text)), "\(text)")
            #expect(Canon(ours) == decoded.canon, "\(text)")
        }
    }

    @Test("Documents Foundation refuses are refused")
    func invalidDocuments() {
        for text in Self.invalid {
            #expect(FoundationAny.decode(bytes(text)) == nil, "JSONDecoder accepts \(text.debugDescription)")
            #expect(throws: JSONParseError.self, "\(text.debugDescription)") { try JSONValue(parsing: text) }
        }
    }

    @Test("Stricter than Foundation: trailing commas and a byte order mark are refused")
    func stricterThanFoundation() {
        // RFC 8259 has no trailing commas and forbids a BOM; Foundation on Linux tolerates both.
        for text in ["[1,]", #"{"a":1,}"#, "[[],]", "\u{FEFF}[]"] {
            #expect(FoundationAny.decode(bytes(text)) != nil, "JSONDecoder now refuses \(text.debugDescription)")
            #expect(throws: JSONParseError.self, "\(text.debugDescription)") { try JSONValue(parsing: text) }
        }
    }

    @Test("A repeated key: the last wins, as in JSONSerialization (JSONDecoder on Linux keeps the first)")
    func repeatedKeys() throws {
        let text = #"{"a":1,"b":true,"a":2}"#
        #expect(try JSONValue(parsing: text) == ["a": 2, "b": true])
        let serialization = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(serialization["a"] as? Int == 2)
        #expect(FoundationAny.decode(bytes(text)) == .object(["a": .integer(1), "b": .bool(true)]))
    }

    @Test("Random values: the writer's output reads back the same in Foundation and in the parser")
    func randomRoundTrips() throws {
        var random = RandomJSON(generator: SeededGenerator(seed: 0x4845_5241_4C44))
        for round in 0..<3000 {
            let value = random.value()
            let written = value.jsonBytes
            let expected = Canon(value)
            let serialization = try JSONSerialization.jsonObject(with: Data(written), options: .fragmentsAllowed)
            #expect(Canon(foundation: serialization).matches(expected, loosely: true), "round \(round): \(value.jsonText)")
            let decoded = FoundationAny.decode(written)
            #expect(decoded?.canon == expected, "round \(round): \(value.jsonText)")
            let parsed = try JSONValue(parsing: written)
            #expect(Canon(parsed) == expected, "round \(round): \(value.jsonText)")
            // Writing the parsed value again gives the same bytes (a fixed point).
            #expect(parsed.jsonBytes == written, "round \(round)")
        }
    }

    @Test("Random values written by Foundation (escaped differently, pretty-printed) parse the same")
    func randomFromFoundation() throws {
        var random = RandomJSON(generator: SeededGenerator(seed: 0x5F0D_A710))
        for round in 0..<2000 {
            let value = random.value()
            let data = try JSONSerialization.data(withJSONObject: foundationObject(value), options: [.fragmentsAllowed, .prettyPrinted])
            let parsed = try JSONValue(parsing: Array(data))
            let reference = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
            #expect(Canon(parsed).matches(Canon(foundation: reference), loosely: true), "round \(round): \(String(decoding: data, as: UTF8.self))")
            // Numbers are held exactly against JSONDecoder.
            #expect(FoundationAny.decode(Array(data))?.canon == Canon(parsed), "round \(round)")
        }
    }

    @Test("Random strings with every scalar escaped as \\uXXXX (surrogate pairs) parse the same")
    func randomEscapedStrings() throws {
        var random = RandomJSON(generator: SeededGenerator(seed: 0xE5C))
        for round in 0..<2000 {
            let string = random.string(maxLength: 40)
            var text = "\""
            for unit in string.utf16 { text += String(format: "\\u%04X", unit) }
            text += "\""
            let parsed = try JSONValue(parsing: text)
            #expect(parsed.stringValue.map { Array($0.unicodeScalars) } == Array(string.unicodeScalars), "round \(round)")
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
            #expect(foundation.map { Array($0.unicodeScalars) } == Array(string.unicodeScalars), "round \(round)")
        }
    }

    @Test("Random numbers parse to what Double(_:) and JSONSerialization read")
    func randomNumbers() throws {
        var random = RandomJSON(generator: SeededGenerator(seed: 0x1EEE))
        for round in 0..<3000 {
            let double = random.double()
            for text in [double.description.replacingOccurrences(of: "e+", with: "e"), String(format: "%.17g", double), String(format: "%.3e", double)] {
                let expected = try #require(Double(text))
                guard expected.isFinite else {
                    // Rounded up past the largest Double (1.798e+308): out of range for both.
                    #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
                    #expect(throws: (any Error).self) { try JSONDecoder().decode(Double.self, from: Data(text.utf8)) }
                    continue
                }
                let parsed = try JSONValue(parsing: text)
                #expect(parsed.doubleValue == expected, "round \(round): \(text)")
                let decoder = try JSONDecoder().decode(Double.self, from: Data(text.utf8))
                #expect(decoder == expected, "round \(round): \(text)")
            }
            let int = random.int()
            #expect(try JSONValue(parsing: String(int)) == .int(int))
        }
    }
}
