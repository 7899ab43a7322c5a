import Foundation
import Testing

@testable import Sandbox

/// ``EmailAddressList``'s byte path for ASCII lists against the `Character` parser it short-cuts
/// (copied here as the reference): same addresses, names and errors.
@Suite("EmailAddressList ASCII path agrees with the Character parser")
struct AddressListFastPathTests {
    private enum Reference {
        static func parse(_ list: String) throws(EmailAddressList.InvalidAddress) -> [EmailAddress] {
            var result: [EmailAddress] = []
            for entry in split(list) {
                let trimmed = entry.trimmingSpaces()
                if trimmed.isEmpty { continue }
                result.append(try parseEntry(trimmed))
            }
            return result
        }

        static func split(_ list: String) -> [Substring] {
            var entries: [Substring] = []
            var inQuotes = false
            var angleDepth = 0
            var start = list.startIndex
            var escaped = false
            for index in list.indices {
                let character = list[index]
                if escaped {
                    escaped = false
                    continue
                }
                switch character {
                case "\\" where inQuotes: escaped = true
                case "\"": inQuotes.toggle()
                case "<" where !inQuotes: angleDepth += 1
                case ">" where !inQuotes: angleDepth = max(0, angleDepth - 1)
                case "," where !inQuotes && angleDepth == 0:
                    entries.append(list[start..<index])
                    start = list.index(after: index)
                default: break
                }
            }
            entries.append(list[start...])
            return entries
        }

        static func parseEntry(_ entry: Substring) throws(EmailAddressList.InvalidAddress) -> EmailAddress {
            var name: String?
            var address = entry
            if let open = entry.lastIndex(of: "<") {
                guard let close = entry[open...].firstIndex(of: ">"),
                    entry[entry.index(after: close)...].trimmingSpaces().isEmpty
                else { throw EmailAddressList.InvalidAddress(text: String(entry), missingAt: !entry.contains("@")) }
                address = entry[entry.index(after: open)..<close].trimmingSpaces()
                var display = entry[..<open].trimmingSpaces()
                if display.count >= 2, display.first == "\"", display.last == "\"" {
                    display = display.dropFirst().dropLast()
                }
                name = display.isEmpty ? nil : String(display)
            }
            guard EmailAddressList.isValidAddress(address) else {
                throw EmailAddressList.InvalidAddress(text: String(entry), missingAt: !address.contains("@"))
            }
            return EmailAddress(name: name, address: String(address))
        }
    }

    private func outcome(_ body: () throws(EmailAddressList.InvalidAddress) -> [EmailAddress]) -> Result<[EmailAddress], EmailAddressList.InvalidAddress> {
        do { return .success(try body()) } catch { return .failure(error) }
    }

    static let samples = [
        "", ",", " , ,", "a@b.example", "\"Doe, Jane\" <jane@example.com>, bob@example.com,  Carol <carol+tag@mail.example.org> ,",
        "\"Herald Notifications\" <noreply@herald.example>", "Name <a@b.com> trailing", "<a@b.com>", "<>", "<a@b.com", "a@b.com>",
        "\"unterminated <a@b.com>", "\"esc\\\"aped\" <a@b.com>", "\"a\\,b\" <x@y.zz>", "a <b <c@d.ee>>", "x@y", "a..b@c.de", ".a@c.de",
        "a.@c.de", "a@-c.de", "a@c-.de", "a@c..de", "a@@c.de", "a@b@c.de", "plain", "\t a@b.com \t", "a\r\n@b.com", "\"\" <a@b.com>",
        "\" \" <a@b.com>", "\"x\"<a@b.com>", "x <a @b.com>", "x < a@b.com >", "é <a@b.com>", "a@bücher.de", "zoë@b.com",
        "a@b.com,\"Q\" <c@d.com>,<e@f.gh>", String(repeating: "a", count: 65) + "@b.com", "!#$%&'*+/=?^_`{|}~.-@b.com", "a(b)@c.de",
    ]

    @Test("Corpus and random lists give the same addresses, names and errors")
    func agreement() {
        var generator = SeedRandom(seed: 0x11575)
        let alphabet: [String] = ["a", "b", "Z", "1", "@", ".", "-", "+", ",", " ", "\t", "\"", "\\", "<", ">", "\r\n", "é", "_"]
        let random = (0..<4_000).map { _ in
            (0..<Int.random(in: 0...18, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "a" }.joined()
        }
        for list in Self.samples + random {
            let fast = self.outcome { () throws(EmailAddressList.InvalidAddress) in try EmailAddressList.parse(list) }
            let reference = self.outcome { () throws(EmailAddressList.InvalidAddress) in try Reference.parse(list) }
            #expect(fast == reference, "\(list.debugDescription)")
        }
    }

    @Test("Names and errors of the ASCII path")
    func details() throws {
        let parsed = try EmailAddressList.parse("\"Herald Notifications\" <noreply@herald.example>, \"\" <a@b.co>, x <y@z.io>")
        #expect(parsed == [
            EmailAddress(name: "Herald Notifications", address: "noreply@herald.example"), EmailAddress(name: nil, address: "a@b.co"),
            EmailAddress(name: "x", address: "y@z.io"),
        ])
        #expect(throws: EmailAddressList.InvalidAddress(text: "Name <nobody>", missingAt: true)) { try EmailAddressList.parse("a@b.co, Name <nobody>") }
        #expect(throws: EmailAddressList.InvalidAddress(text: "a@b", missingAt: false)) { try EmailAddressList.parse("a@b") }
        #expect(throws: EmailAddressList.InvalidAddress(text: "<a@b.com> x", missingAt: false)) { try EmailAddressList.parse("<a@b.com> x") }
    }
}

/// SplitMix64, so a failing random list can be replayed.
private struct SeedRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
