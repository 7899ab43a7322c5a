import Foundation
import HeraldJSON
import Testing

@Suite("HeraldJSON writer")
struct WriterTests {
    private func text(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func literal(_ string: String) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendString(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("String literals escape quotes, backslashes and control characters, nothing else")
    func escaping() {
        #expect(literal("") == #""""#)
        #expect(literal("plain") == #""plain""#)
        #expect(literal("a\"b\\c/d") == #""a\"b\\c/d""#)
        #expect(literal("\n\r\t\u{8}\u{C}") == #""\n\r\t\b\f""#)
        #expect(literal("\u{0}\u{1}\u{1F}\u{B}") == #""\u0000\u0001\u001f\u000b""#)
        #expect(literal("\u{7F}é中😀\u{2028}\u{2029}\u{FEFF}") == "\"\u{7F}é中😀\u{2028}\u{2029}\u{FEFF}\"")
        // Long runs go through the eight-byte scan; escapes at every position of a word.
        for position in 0..<17 {
            var scalars = Array(repeating: Character("x"), count: 17)
            scalars[position] = "\""
            let input = String(scalars)
            #expect(literal(input) == "\"" + input.replacingOccurrences(of: "\"", with: "\\\"") + "\"")
        }
        let bridgedLike = String(repeating: "ab\"", count: 1000)
        #expect(literal(bridgedLike) == "\"" + String(repeating: #"ab\""#, count: 1000) + "\"")
    }

    @Test("Every byte below 0x20 has an escape that reads back")
    func allControlCharacters() throws {
        let all = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        let written = literal(all)
        #expect(written.unicodeScalars.allSatisfy { $0.value >= 0x20 })
        #expect(try JSONValue(parsing: written) == .string(all))
        let foundation = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed) as? String
        #expect(foundation.map { Array($0.unicodeScalars) } == Array(all.unicodeScalars))
    }

    @Test("Integers and doubles")
    func numbers() {
        #expect(text { $0.value(0) } == "0")
        #expect(text { $0.value(-42) } == "-42")
        #expect(text { $0.value(Int.max) } == "9223372036854775807")
        #expect(text { $0.value(Int.min) } == "-9223372036854775808")
        #expect(text { $0.value(3.0) } == "3")
        #expect(text { $0.value(-0.0) } == "-0")
        #expect(text { $0.value(0.1) } == "0.1")
        #expect(text { $0.value(2.5) } == "2.5")
        #expect(text { $0.value(1e-5) } == "1e-05")
        #expect(text { $0.value(9_007_199_254_740_992.0) } == "9007199254740992")
        #expect(text { $0.value(1e16) } == "1e+16")
        #expect(text { $0.value(1e300) } == "1e+300")
        #expect(text { $0.value(5e-324) } == "5e-324")
        #expect(text { $0.value(Double.infinity) } == "null")
        #expect(text { $0.value(Double.nan) } == "null")
        #expect(text { $0.value(true) } == "true")
        #expect(text { $0.value(false) } == "false")
        #expect(text { $0.null() } == "null")
    }

    @Test("Commas and colons are placed by the writer; nil members are left out")
    func structure() {
        let written = text { writer in
            writer.object { writer in
                writer.member("s", "x")
                writer.member("missing", nil as String?)
                writer.member("i", 1 as Int?)
                writer.member("d", 0.5 as Double?)
                writer.member("b", false as Bool?)
                writer.member("n", JSONValue.null)
                writer.member("none", nil as JSONValue?)
                writer.key("empty")
                writer.array { _ in }
                writer.key("list")
                writer.array { writer in
                    writer.value(1)
                    writer.object { _ in }
                    writer.array { writer in
                        writer.value("a")
                        writer.value("b")
                    }
                    writer.null()
                }
                writer.key("nested")
                writer.object { writer in writer.member("k", "v") }
            }
        }
        #expect(written == #"{"s":"x","i":1,"d":0.5,"b":false,"n":null,"empty":[],"list":[1,{},["a","b"],null],"nested":{"k":"v"}}"#)
        #expect(text { writer in writer.object { _ in } } == "{}")
    }

    @Test("A JSONValue is written in member order and parses back equal")
    func valueRoundTrip() throws {
        let value: JSONValue = ["z": 1, "a": [true, nil, "s\"q", 2.5, -0.0], "m": ["x": [:]]]
        #expect(value.jsonText == #"{"z":1,"a":[true,null,"s\"q",2.5,-0],"m":{"x":{}}}"#)
        #expect(try JSONValue(parsing: value.jsonBytes) == value)
        #expect(JSONValue.double(4).jsonText == "4")
        #expect(try JSONValue(parsing: JSONValue.double(4).jsonBytes) == .int(4))
    }

    @Test("The writer's output is what JSONEncoder writes, apart from '/'")
    func matchesJSONEncoder() throws {
        let strings = ["a/b", "\u{0}\u{1F}\n\t\"\\", "é😀\u{2028}", String(repeating: "<p class=\"x\">", count: 20)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for string in strings {
            #expect(literal(string) == String(decoding: try encoder.encode(string), as: UTF8.self))
        }
        for int in [0, -1, Int.max, Int.min] {
            #expect(text { $0.value(int) } == String(decoding: try encoder.encode(int), as: UTF8.self))
        }
    }
}
