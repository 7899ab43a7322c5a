import Foundation
import Mail
import Testing

@Suite("HeaderSanitizer and MessageID")
struct HeaderSanitizerTests {
    @Test("Line breaks and control characters become single spaces", arguments: [
        ("plain", "plain"),
        ("a\r\nb", "a b"),
        ("a\nb\rc", "a b c"),
        ("  lead and trail \r\n", "lead and trail"),
        ("tab\there", "tab here"),
        ("nul\u{0000}byte", "nul byte"),
        ("del\u{007F}x", "del x"),
        ("nel\u{0085}x", "nel x"),
        ("ls\u{2028}ps\u{2029}x", "ls ps x"),
        ("a \r\n\r\n b", "a b"),
        ("Ünïcødé ✓", "Ünïcødé ✓"),
    ])
    func sanitize(input: String, output: String) {
        #expect(HeaderSanitizer.sanitize(input) == output)
        #expect(HeaderSanitizer.isSafe(HeaderSanitizer.sanitize(input)))
    }

    @Test("Message-IDs parse with or without brackets and refuse whitespace")
    func parsing() {
        #expect(MessageID(parsing: "abc@x.example")?.value == "<abc@x.example>")
        #expect(MessageID(parsing: " <abc@x.example> ")?.value == "<abc@x.example>")
        #expect(MessageID(parsing: "") == nil)
        #expect(MessageID(parsing: "<>") == nil)
        #expect(MessageID(parsing: "<a b@x>") == nil)
        #expect(MessageID(parsing: "<a@x>\r\nBcc: y") == nil)
        #expect(MessageID(parsing: "<a<b@x>") == nil)
    }

    @Test("Generated Message-IDs need a valid domain")
    func generation() throws {
        let id = try MessageID.generate(messageID: .init(), recipientEmail: "a@b.example", domain: "Mail.Example.com")
        #expect(id.value.hasSuffix("@mail.example.com>"))
        #expect(id.value.count == 1 + 36 + 1 + 16 + 1)
        #expect(throws: DeliveryError.self) { try MessageID.generate(messageID: .init(), recipientEmail: "a@b.example", domain: "bad domain>") }
    }
}
