import Foundation
import Testing

@testable import Postgres

@Suite("UUID text and array literals without a server")
struct UUIDAndArrayTextTests {
    @Test("lowercasedString is uuidString.lowercased()")
    func uuidFormatting() {
        var samples = (0..<500).map { _ in UUID() }
        samples.append(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        samples.append(UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)))
        samples.append(UUID(uuid: (0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10)))
        for uuid in samples {
            #expect(uuid.lowercasedString == uuid.uuidString.lowercased())
        }
        #expect(samples[samples.count - 1].lowercasedString == "01234567-89ab-cdef-fedc-ba9876543210")
    }

    @Test("Parsing accepts exactly what UUID(uuidString:) accepts, with the same value")
    func uuidParsing() throws {
        let canonical = "01234567-89ab-cdef-fedc-ba9876543210"
        var inputs = [canonical, canonical.uppercased(), "01234567-89AB-cdef-FEDC-ba9876543210", "", "x", canonical + " ", " " + canonical,
            "{\(canonical)}", String(canonical.dropLast()), canonical.replacingOccurrences(of: "-", with: ""),
            "0123456789ab-cdef-fedc-ba98-76543210", "01234567-89ab-cdef-fedc-ba987654321é", "01234567-89ab-cdef-fedc-ba98765432\u{0661}0"]
        // Every position replaced by characters around the hex ranges and the hyphen.
        let characters = Array(canonical)
        for position in characters.indices {
            for replacement in ["g", "G", "/", ":", "@", "`", "-", "0", "F", " ", "\0"] {
                var mutated = characters
                mutated[position] = Character(replacement)
                inputs.append(String(mutated))
            }
        }
        for uuid in (0..<200).map({ _ in UUID() }) {
            inputs.append(uuid.uuidString)
            inputs.append(uuid.lowercasedString)
        }
        for input in inputs {
            #expect(UUID(postgresUUIDText: input) == UUID(uuidString: input), "\(input.debugDescription)")
        }
        #expect(UUID(postgresUUIDText: canonical)?.lowercasedString == canonical)
        #expect(throws: PostgresError.self) { try UUID(postgresText: "not-a-uuid", oid: PostgresOID.uuid) }
        #expect(try UUID(postgresText: canonical, oid: PostgresOID.uuid) == UUID(uuidString: canonical))
    }

    /// The encoder before it worked on bytes: `Character` by `Character`.
    private func characterEncode(_ items: [String?]) -> String {
        var out = "{"
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            guard let item else {
                out += "NULL"
                continue
            }
            out += "\""
            for character in item {
                if character == "\"" || character == "\\" { out.append("\\") }
                out.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    static let elements: [String?] = [
        "plain", "", "with,comma", "with \"quote\"", "back\\slash", "\\\"", "NULL", nil, "{brace}", "}", "é unicode 日本語",
        "emoji 👩‍👩‍👧 🇫🇷", "tab\tand\nnewline\r\n", "  spaced  ", "'single'", "\u{0}", String(repeating: "x\\", count: 100),
    ]

    @Test("Array literals: quoting, NULL, backslashes, quotes, empty strings, unicode")
    func arrayLiteralText() {
        #expect(PostgresArrayLiteral.encode([]) == "{}")
        #expect(PostgresArrayLiteral.encode([nil]) == "{NULL}")
        #expect(PostgresArrayLiteral.encode(["", "NULL", nil]) == #"{"","NULL",NULL}"#)
        #expect(PostgresArrayLiteral.encode(["a\"b", "c\\d", "é,{}"]) == #"{"a\"b","c\\d","é,{}"}"#)
        #expect(PostgresArrayLiteral.encode(Self.elements) == self.characterEncode(Self.elements))
        for element in Self.elements {
            #expect(PostgresArrayLiteral.encode([element]) == self.characterEncode([element]))
            #expect(PostgresArrayLiteral.decode(PostgresArrayLiteral.encode([element, element])) == [element, element])
        }
        #expect(PostgresArrayLiteral.decode(PostgresArrayLiteral.encode(Self.elements)) == Self.elements)
    }

    @Test("A quote or backslash fused with a combining mark is still escaped (the server reads bytes)")
    func fusedQuote() {
        let fused = "a\"\u{0301}b\\\u{0308}"
        #expect(PostgresArrayLiteral.encode([fused]) == "{\"a\\\"\u{0301}b\\\\\u{0308}\"}")
        #expect(PostgresArrayLiteral.decode(PostgresArrayLiteral.encode([fused])) == [fused])
    }

    @Test("Bound arrays carry the literal's bytes in text format with the array OID")
    func boundArrays() {
        let ids = [UUID(), UUID(), UUID()]
        let value = ids.postgresValue
        #expect(value.oid == PostgresOID.uuidArray)
        #expect(value.format == .text)
        #expect(value.bytes == Array(("{" + ids.map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ",") + "}").utf8))
        let optionalIDs: [UUID?] = [ids[0], nil]
        #expect(optionalIDs.postgresValue.bytes == Array("{\"\(ids[0].lowercasedString)\",NULL}".utf8))
        let strings = Self.elements.compactMap { $0 }
        #expect(strings.postgresValue.bytes == Array(self.characterEncode(strings).utf8))
        #expect(strings.postgresValue.oid == PostgresOID.textArray)
        #expect([Int64(1), -2].postgresValue.bytes == Array(#"{"1","-2"}"#.utf8))
        #expect(ids[0].postgresValue == PostgresValue(oid: PostgresOID.uuid, text: ids[0].uuidString.lowercased()))
    }
}
