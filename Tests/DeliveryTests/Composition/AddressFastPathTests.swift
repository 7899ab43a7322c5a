import Foundation
import HeraldTestSupport
import Testing

@testable import Mail

/// The byte-level fast paths of ``EmailAddress``, ``HeaderSanitizer`` and the whitespace helpers
/// against the scalar-by-scalar code they short-cut (copied here as the reference).
@Suite("Address and header fast paths agree with the scalar rules")
struct AddressFastPathTests {
    private enum Reference {
        static func isValid(_ address: String) -> Bool {
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, Self.isValidDomain(String(parts[1])) else { return false }
            return parts[0].unicodeScalars.allSatisfy(Self.isAddressScalar) && parts[0].utf8.count <= 64
        }

        static func isValidDomain(_ domain: String) -> Bool {
            guard !domain.isEmpty, domain.utf8.count <= 253 else { return false }
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            return labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.unicodeScalars.allSatisfy { $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
            }
        }

        static func isAddressScalar(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.value < 0x21 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return false }
            return !"<>()[]\\,;:\"@".unicodeScalars.contains(scalar)
        }

        static func trimmingWhitespace(_ text: String) -> String {
            let scalars = text.unicodeScalars
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return "" }
            return String(scalars[first...last])
        }

        static func sanitize(_ value: String) -> String {
            var output = String.UnicodeScalarView()
            var pendingSpace = false
            for scalar in value.unicodeScalars {
                let breaking = scalar.value <= 0x1F || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
                if breaking || scalar.properties.isWhitespace {
                    pendingSpace = !output.isEmpty
                    continue
                }
                if pendingSpace {
                    output.append(" ")
                    pendingSpace = false
                }
                output.append(scalar)
            }
            return String(output)
        }

        static func quoted(_ text: String) -> String {
            var result = "\""
            for character in text {
                if character == "\"" || character == "\\" { result.append("\\") }
                result.append(character)
            }
            result.append("\"")
            return result
        }
    }

    static let samples: [String] = [
        "", "a@b.example", "jane@example.com", "a@b", "a@-b.com", "a@b-.com", "a@b..com", "a@.b.com", "a@b.com.", "@b.com", "a@", "a@@b.com",
        "a@b@c.com", "a b@c.com", "a\tb@c.com", "a<b@c.com", "a\"b@c.com", "a\\b@c.com", "a,b@c.com", "a;b@c.com", "a:b@c.com", "a(b)@c.com",
        "a[b]@c.com", "a\u{7F}@c.com", "a+tag@c.com", "!#$%&'*/=?^_`{|}~.-@c.com", "a@b_c.com", "a@b c.com", "a@B-1.EXAMPLE",
        "zoë@example.com", "a@bücher.example", "a@日本.example", "a@b.example\u{0301}", "a\u{00A0}@b.com", "a\u{85}@b.com", "a@b\u{2028}.com",
        String(repeating: "l", count: 64) + "@b.com", String(repeating: "l", count: 65) + "@b.com",
        "a@" + String(repeating: "d", count: 63) + ".com", "a@" + String(repeating: "d", count: 64) + ".com",
        "a@" + Array(repeating: String(repeating: "d", count: 49), count: 5).joined(separator: "."),
        "a@" + Array(repeating: String(repeating: "d", count: 50), count: 5).joined(separator: "."),
        " a@b.com", "a@b.com ", "\ta@b.com\r\n", "\u{00A0}a@b.com\u{3000}", "  ", "\n", "x", " x", "x ", "a  b", "a \r\n b", "Ada Lovelace",
        "Doe, Jane", "Eve\r\nBcc: v@example.com", "Zoë Ångström", "tab\there", "\u{1F}x", "x\u{7F}", "\u{2028}", "\"quoted\" \\ name",
        "\"\u{0301}", "e\u{0301}\\", "Herald Notifications", "New task: Benchmark task 17",
    ]

    /// Random strings over the characters the rules care about, mostly ASCII.
    static func randomSamples() -> [String] {
        var generator = SeededGenerator(seed: 0xadd7e55)
        let alphabet: [String] = ["a", "Z", "0", "9", "@", ".", "-", "_", "+", " ", "\t", "\r\n", "\n", "\"", "\\", "<", ">", ",", ";", "(", "é", "\u{00A0}", "\u{7F}", "\u{1}", "日"]
        return (0..<3_000).map { _ in
            (0..<Int.random(in: 0...14, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "a" }.joined()
        }
    }

    @Test("isValid and isValidDomain")
    func validity() {
        for sample in Self.samples + Self.randomSamples() {
            #expect(EmailAddress.isValid(sample) == Reference.isValid(sample), "\(sample.debugDescription)")
            #expect(EmailAddress.isValidDomain(sample) == Reference.isValidDomain(sample), "\(sample.debugDescription)")
            let domain = String(sample.drop { $0 != "@" }.dropFirst())
            #expect(EmailAddress.isValidDomain(domain) == Reference.isValidDomain(domain), "\(domain.debugDescription)")
        }
    }

    @Test("trimmingWhitespace, isBlank, sanitize and quoted")
    func text() {
        for sample in Self.samples + Self.randomSamples() {
            #expect(sample.trimmingWhitespace() == Reference.trimmingWhitespace(sample), "\(sample.debugDescription)")
            #expect(sample.isBlank == Reference.trimmingWhitespace(sample).isEmpty, "\(sample.debugDescription)")
            #expect(HeaderSanitizer.sanitize(sample) == Reference.sanitize(sample), "\(sample.debugDescription)")
            #expect(EmailAddress.quoted(sample) == Reference.quoted(sample), "\(sample.debugDescription)")
        }
    }

    @Test("EmailAddress keeps the trimmed address and the sanitised, quoted name")
    func mailbox() throws {
        let address = try EmailAddress("  noreply@herald.example\t", name: "  Herald\r\nNotifications ")
        #expect(address.address == "noreply@herald.example")
        #expect(address.name == "Herald Notifications")
        #expect(address.formatted == "\"Herald Notifications\" <noreply@herald.example>")
        #expect(try EmailAddress("a@b.example", name: "\"Boss\" \\").formatted == #""\"Boss\" \\" <a@b.example>"#)
        #expect(throws: DeliveryError.self) { try EmailAddress("a@b@c.example") }
    }

    @Test("Generated Message-IDs keep their value (UUIDv5 of the lowercase id and recipient)")
    func messageID() throws {
        let id = try #require(UUID(uuidString: "0B5E6AD6-0A77-4C51-A7D2-1B6C0F0E8F10"))
        let generated = try MessageID.generate(messageID: id, recipientEmail: " Jane@Example.COM ", domain: "Mail.Example")
        let name = "0b5e6ad6-0a77-4c51-a7d2-1b6c0f0e8f10|jane@example.com"
        let expected = MessageID.uuidV5(namespace: MessageID.namespace, name: name).uuidString.lowercased()
        #expect(generated.value == "<\(expected)@mail.example>")
        // Independently computed: uuid5(UUID('bdf696df-0ccb-52c1-9dc5-ddc318c8b1d5'), name) in Python.
        #expect(expected == Self.pythonUUID5)
    }

    static let pythonUUID5 = "a17ea8ef-0564-51e9-a978-dc06d6f420b1"
}
