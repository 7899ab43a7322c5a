import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

@Suite("HeraldJSON parser")
struct ParserTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONValue(parsing: text) }

    @Test("Scalars, containers and whitespace")
    func values() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" \t\r\ntrue\n") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("0") == .int(0))
        #expect(try parse("-12") == .int(-12))
        #expect(try parse("\"\"") == .string(""))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
        #expect(try parse("[ 1 , [ ] , { } , \"x\" ]") == [1, [], [:], "x"])
        let object = try parse(#"{"b": 1, "a": {"c": [true, null]}}"#)
        #expect(object == ["b": 1, "a": ["c": [true, nil]]])
        #expect(object.objectMembers?.map(\.key) == ["b", "a"])
        #expect(object["a"]?["c"]?.arrayValue == [true, nil])
        #expect(object["missing"] == nil)
        #expect(JSONValue.int(1)["b"] == nil)
    }

    @Test("The same document from bytes, a String and a raw buffer")
    func entryPoints() throws {
        let text = #"{"k":["é",1.5]}"#
        let fromString = try JSONValue(parsing: text)
        let fromBytes = try JSONValue(parsing: Array(text.utf8))
        let fromRaw = try Array(text.utf8).withUnsafeBytes { try JSONValue(parsing: $0) }
        #expect(fromString == ["k": ["é", 1.5]])
        #expect(fromBytes == fromString && fromRaw == fromString)
    }

    @Test("Numbers: integers that fit Int are .int, everything else .double")
    func numbers() throws {
        #expect(try parse("9223372036854775807") == .int(Int.max))
        #expect(try parse("-9223372036854775808") == .int(Int.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-9_223_372_036_854_775_809))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("3.0") == .double(3))
        #expect(try parse("1e2") == .double(100))
        #expect(try parse("1E+2") == .double(100))
        #expect(try parse("25e-1") == .double(2.5))
        #expect(try parse("0.1") == .double(0.1))
        #expect(try parse("-0.0") == .double(-0.0))
        let minusZero = try parse("-0")
        #expect(minusZero.doubleValue?.sign == .minus)
        #expect(minusZero.intValue == 0)
        #expect(try parse("1e-400") == .double(0))
        #expect(try parse("5e-324") == .double(5e-324))
        #expect(try parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try parse("0.30000000000000004") == .double(0.30000000000000004))
        #expect(try parse("9007199254740993.0") == .double(9_007_199_254_740_992))
        #expect(try parse("1" + String(repeating: "0", count: 400) + "e-400") == .double(1))
        #expect(try parse("0." + String(repeating: "0", count: 30) + "1e31") == .double(1))
        #expect(try parse("0e99999999999999999999999999") == .double(0))
    }

    @Test("Number conversions follow JSONDecoder's Int rule")
    func numberAccessors() throws {
        #expect(JSONValue.double(3).intValue == 3)
        #expect(JSONValue.double(2.5).intValue == nil)
        #expect(JSONValue.double(9_223_372_036_854_775_808).intValue == nil)
        #expect(JSONValue.int(7).doubleValue == 7)
        #expect(JSONValue.string("7").intValue == nil)
        #expect(JSONValue.bool(true).intValue == nil)
        #expect(JSONValue.int(1).boolValue == nil)
        #expect(JSONValue.null.isNull && !JSONValue.int(0).isNull)
        for text in ["3", "3.0", "1e2", "-0", "0.1e1", "9223372036854775807", "9223372036854775808", "9.2e18", "2.5", "1e300", "1e-400"] {
            let foundation = try? JSONDecoder().decode(Int.self, from: Data(text.utf8))
            #expect(try parse(text).intValue == foundation, "\(text)")
        }
    }

    @Test("Strings: escapes, surrogate pairs, raw UTF-8")
    func strings() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{8} \u{C} \n \r \t"))
        #expect(try parse(#""\u0041\u00e9\u00E9\u4e2d\u0000\u001F""#) == .string("Aéé中\u{0}\u{1F}"))
        #expect(try parse(#""\ud83d\ude00 \uD83D\uDE00""#) == .string("😀 😀"))
        #expect(try parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
        #expect(try parse("\"é中😀\u{2028}\u{7F}\"") == .string("é中😀\u{2028}\u{7F}"))
        #expect(try parse("\"a\\nb😀c\\u0000\"") == .string("a\nb😀c\u{0}"))
        let long = String(repeating: "abcdefgh", count: 100) + "\\\"" + String(repeating: "é", count: 50)
        #expect(try parse("\"\(long)\"") == .string(String(repeating: "abcdefgh", count: 100) + "\"" + String(repeating: "é", count: 50)))
        // Escaped and raw forms that differ only in normalization stay distinct scalars.
        guard case .string(let decomposed) = try parse(#""e\u0301""#) else { Issue.record("not a string"); return }
        #expect(Array(decomposed.unicodeScalars) == ["e", "\u{301}"])
    }

    @Test("A repeated key keeps its first position and its last value")
    func duplicateKeys() throws {
        let small = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(small.objectMembers?.map(\.key) == ["a", "b"])
        #expect(small["a"] == 3)
        // Past the linear-scan size, through the key index.
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let big = try parse("{\(members),\"k3\":-1,\"k39\":-2,\"new\":0,\"k3\":-3}")
        #expect(big.objectMembers?.count == 41)
        #expect(big["k3"] == -3 && big["k39"] == -2 && big["new"] == 0 && big["k0"] == 0)
        #expect(big.objectMembers?[3].key == "k3")
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(#"{"a":1,"b":2,"a":3}"#.utf8)) as? [String: Int])
        #expect(foundation["a"] == 3)
    }

    @Test("Nesting up to the limit parses; one more level is refused")
    func depth() throws {
        func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        _ = try parse(nested(512))
        let error = #expect(throws: JSONParseError.self) { try parse(nested(513)) }
        #expect(error?.code == .depthLimitExceeded)
        #expect(error?.offset == 512)
        let objects = String(repeating: #"{"a":"#, count: 3) + "1" + String(repeating: "}", count: 3)
        _ = try JSONValue(parsing: objects, maximumDepth: 3)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: objects, maximumDepth: 2) }
        // Far past the limit fails cleanly instead of exhausting the stack.
        #expect(throws: JSONParseError.self) { try parse(String(repeating: "[", count: 100_000)) }
    }

    @Test("Errors are typed, with the offset of the first bad byte")
    func errorPaths() {
        let cases: [(String, JSONParseError.Code, Int)] = [
            ("", .unexpectedEnd, 0),
            ("   ", .unexpectedEnd, 3),
            ("[1,", .unexpectedEnd, 3),
            ("[1", .unexpectedEnd, 2),
            ("{\"a\"", .unexpectedEnd, 4),
            ("{\"a\":", .unexpectedEnd, 5),
            ("{\"a\":1", .unexpectedEnd, 6),
            ("{", .unexpectedEnd, 1),
            ("\"abc", .unexpectedEnd, 4),
            ("\"abc\\", .unexpectedEnd, 5),
            ("\"\\u12", .unexpectedEnd, 5),
            ("\"\\ud800\\u", .unexpectedEnd, 9),
            ("tr", .unexpectedEnd, 2),
            ("-", .unexpectedEnd, 1),
            ("1.", .unexpectedEnd, 2),
            ("1e", .unexpectedEnd, 2),
            ("1e+", .unexpectedEnd, 3),
            ("[1,]", .trailingComma, 3),
            ("[1, ]", .trailingComma, 4),
            ("{\"a\":1,}", .trailingComma, 7),
            ("{\"a\":1 , }", .trailingComma, 9),
            ("[1 2]", .unexpectedCharacter, 3),
            ("{\"a\" 1}", .unexpectedCharacter, 5),
            ("{\"a\":1 \"b\":2}", .unexpectedCharacter, 7),
            ("{1:2}", .unexpectedCharacter, 1),
            ("{,}", .unexpectedCharacter, 1),
            ("[,1]", .unexpectedCharacter, 1),
            ("[1,,2]", .unexpectedCharacter, 3),
            ("]", .unexpectedCharacter, 0),
            ("tru", .unexpectedEnd, 3),
            ("trUe", .unexpectedCharacter, 2),
            ("nul", .unexpectedEnd, 3),
            ("nulL", .unexpectedCharacter, 3),
            ("folse", .unexpectedCharacter, 1),
            ("NaN", .unexpectedCharacter, 0),
            ("Infinity", .unexpectedCharacter, 0),
            ("'a'", .unexpectedCharacter, 0),
            ("+1", .unexpectedCharacter, 0),
            (".5", .unexpectedCharacter, 0),
            ("\u{FEFF}1", .unexpectedCharacter, 0),
            ("/*c*/1", .unexpectedCharacter, 0),
            ("1 2", .trailingData, 2),
            ("{}}", .trailingData, 2),
            ("[1]]", .trailingData, 3),
            ("true false", .trailingData, 5),
            ("01", .invalidNumber, 1),
            ("-01", .invalidNumber, 2),
            ("[00]", .invalidNumber, 2),
            ("-x", .invalidNumber, 1),
            ("-.5", .invalidNumber, 1),
            ("1.e5", .invalidNumber, 2),
            ("1.x", .invalidNumber, 2),
            ("1ex", .invalidNumber, 2),
            ("1e+x", .invalidNumber, 3),
            ("[1e400]", .numberOutOfRange, 1),
            ("-1e400", .numberOutOfRange, 0),
            ("1" + String(repeating: "0", count: 400), .numberOutOfRange, 0),
            ("\"a\u{01}b\"", .controlCharacterInString, 2),
            ("\"tab\there\"", .controlCharacterInString, 4),
            ("\"a\\\u{0A}\"", .invalidEscape, 2),
            ("\"a\nb\"", .controlCharacterInString, 2),
            ("\"\\x\"", .invalidEscape, 1),
            ("\"\\'\"", .invalidEscape, 1),
            ("\"\\U0041\"", .invalidEscape, 1),
            ("\"\\u12G4\"", .invalidEscape, 1),
            ("\"ab\\u-123\"", .invalidEscape, 3),
            ("\"\\ud800\"", .loneSurrogate, 1),
            ("\"\\ud800x\"", .loneSurrogate, 1),
            ("\"\\ud800\\n\"", .loneSurrogate, 1),
            ("\"\\ud800\\u0041\"", .loneSurrogate, 1),
            ("\"\\ud800\\ud800\"", .loneSurrogate, 1),
            ("\"ok\\udc00\"", .loneSurrogate, 3),
            ("\"\\ud800\\uzzzz\"", .invalidEscape, 7),
        ]
        for (text, code, offset) in cases {
            do {
                let value = try JSONValue(parsing: text)
                Issue.record("\(text.debugDescription) parsed as \(value)")
            } catch {
                #expect(error.code == code, "\(text.debugDescription): \(error)")
                #expect(error.offset == offset, "\(text.debugDescription): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("Ill-formed UTF-8 inside strings is refused at the first bad byte")
    func invalidUTF8() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0xC3, 0x28, 0x22], 1),  // truncated two-byte sequence
            ([0x22, 0x61, 0xC0, 0x80, 0x22], 2),  // overlong NUL
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong three-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
            ([0x22, 0x80, 0x22], 1),  // lone continuation byte
            ([0x22, 0xFF, 0x22], 1),
            ([0x22, 0xE2, 0x82, 0x22], 1),  // truncated before the quote
            ([0x22, 0x61, 0x5C, 0x6E, 0xC3, 0x22], 4),  // after an escape (slow path)
            ([0x22, 0xC3, 0x5C, 0x75, 0x30, 0x30, 0x41, 0x39, 0x22], 1),  // a lead byte an escape cannot complete
            (Array("{\"k\":\"ok\",\"".utf8) + [0xE9] + Array("\":1}".utf8), 11),  // in a key
        ]
        for (input, offset) in cases {
            let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: input) }
            #expect(error?.code == .invalidUTF8, "\(input)")
            #expect(error?.offset == offset, "\(input): \(String(describing: error))")
            #expect((try? JSONSerialization.jsonObject(with: Data(input), options: .fragmentsAllowed)) == nil)
        }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x5B, 0xE9, 0x5D]) }  // outside a string: not a value
    }

    @Test("Random bytes in strings: accepted exactly when the standard library finds them well-formed")
    func randomUTF8() {
        var generator = SeededGenerator(seed: 0x07F8)
        let pool: [UInt8] = [0x41, 0x7E, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        for round in 0..<20_000 {
            let content = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
            // Sometimes behind an escape, to take the slow path.
            let prefix: [UInt8] = Bool.random(using: &generator) ? [0x5C, 0x6E] : []  // the escape \n
            let document = [0x22] + prefix + content + [0x22]
            let reference = String(validating: content, as: UTF8.self)
            do {
                let value = try JSONValue(parsing: document)
                #expect(reference != nil && value == .string((prefix.isEmpty ? "" : "\n") + (reference ?? "")), "round \(round): \(content)")
            } catch {
                #expect(reference == nil && error.code == .invalidUTF8, "round \(round): \(content)")
                #expect(error.offset >= 1 + prefix.count && error.offset < document.count - 1)
            }
        }
    }

    @Test("Error descriptions name the code and offset but not the document")
    func errorDescription() {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"secret-token": 1,}"#) }
        let description = error.map { "\($0)" } ?? ""
        #expect(description.contains("trailingComma") && description.contains("19"))
        #expect(!description.contains("secret"))
    }
}
