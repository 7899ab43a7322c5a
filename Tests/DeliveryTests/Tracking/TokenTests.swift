import Crypto
import Foundation
import HeraldTestSupport
import Mail
import Testing

@Suite("Tokens: ConstantTime, TrackingPixelID, ClickToken, ReplyToken")
struct TokenTests {
    static let secret = "an-example-server-secret-of-40-bytes!!!!"
    let key: TokenSigningKey
    let otherKey: TokenSigningKey
    let pixel: TrackingPixelID

    init() throws {
        self.key = try TokenSigningKey(secret: Self.secret)
        self.otherKey = try TokenSigningKey(secret: Self.secret + "x")
        self.pixel = try #require(TrackingPixelID(rawValue: "00ff10ee20dd30cc40bb50aa60997088"))
    }

    /// Base64url decoding written independently of the module (via Foundation's base64).
    private func base64URLDecode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }

    private func base64URLEncode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    // MARK: ConstantTime

    @Test("ConstantTime.equals compares contents and lengths")
    func constantTime() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equals("pässword", "pässword"))
        #expect(!ConstantTime.equals("password", "Password"))
    }

    // MARK: TokenSigningKey

    @Test("Signing secrets shorter than 32 bytes are refused; the key never prints its secret")
    func signingKey() throws {
        #expect { try TokenSigningKey(secret: String(repeating: "a", count: 31)) } throws: { error in
            (error as? DeliveryError)?.code == .invalidSecret
        }
        #expect(throws: Never.self) { try TokenSigningKey(secret: [UInt8](repeating: 7, count: 32)) }
        #expect(!"\(self.key)".contains(Self.secret))
    }

    // MARK: TrackingPixelID

    @Test("Generated pixel ids are 32 lowercase hex characters and unique")
    func pixelGeneration() {
        var seen = Set<String>()
        for _ in 0..<5_000 {
            let id = TrackingPixelID.generate()
            #expect(id.rawValue.count == 32)
            #expect(id.rawValue.allSatisfy { "0123456789abcdef".contains($0) })
            seen.insert(id.rawValue)
        }
        #expect(seen.count == 5_000)
    }

    @Test("A seeded generator gives reproducible ids using all 128 bits")
    func pixelSeeded() {
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        #expect(TrackingPixelID.generate(using: &first) == TrackingPixelID.generate(using: &second))
        var third = SeededGenerator(seed: 43)
        #expect(TrackingPixelID.generate(using: &first) != TrackingPixelID.generate(using: &third))
        var generator = SeededGenerator(seed: 1)
        let id = TrackingPixelID.generate(using: &generator)
        var check = SeededGenerator(seed: 1)
        let expected = [check.next(), check.next()].map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        #expect(id.rawValue == expected)
    }

    @Test("Pixel ids parse strictly", arguments: [
        ("0123456789abcdef0123456789abcdef", true),
        ("0123456789ABCDEF0123456789ABCDEF", false),
        ("0123456789abcdef0123456789abcde", false),
        ("0123456789abcdef0123456789abcdef0", false),
        ("0123456789abcdef0123456789abcdeg", false),
        ("", false),
        ("../../../../etc/passwd", false),
    ])
    func pixelParsing(raw: String, valid: Bool) {
        #expect((TrackingPixelID(rawValue: raw) != nil) == valid)
        #expect((TrackingPixelID(pixelPath: raw + ".gif") != nil) == valid)
    }

    // MARK: ClickToken

    @Test("Click tokens round-trip pixel id, link index and URL", arguments: [
        "https://example.com/",
        "http://example.com/a?x=1&y=2#frag",
        "https://例え.jp/パス?q=ü",
        "https://example.com/" + String(repeating: "a", count: 4_000),
    ])
    func clickRoundTrip(url: String) throws {
        let token = try ClickToken(trackingPixelID: self.pixel, linkIndex: 513, url: url)
        let signed = token.signed(with: self.key)
        #expect(signed.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        let decoded = try ClickToken.verify(signed, key: self.key)
        #expect(decoded == token)
        #expect(decoded.url == url)
        #expect(decoded.linkIndex == 513)
        #expect(decoded.trackingPixelID == self.pixel)
    }

    @Test("The token layout matches an independently computed HMAC-SHA256")
    func clickIndependentHMAC() throws {
        let url = "https://example.com/path?q=1"
        let signed = try ClickToken(trackingPixelID: self.pixel, linkIndex: 2, url: url).signed(with: self.key)
        let bytes = try #require(self.base64URLDecode(signed))
        let expectedPayload: [UInt8] = [0x01] + [0x00, 0xff, 0x10, 0xee, 0x20, 0xdd, 0x30, 0xcc, 0x40, 0xbb, 0x50, 0xaa, 0x60, 0x99, 0x70, 0x88] + [0x00, 0x02]
            + Array(url.utf8)
        #expect(Array(bytes.dropLast(16)) == expectedPayload)
        let clickKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(Self.secret.utf8)),
            info: Array("herald/click-token/v1".utf8),
            outputByteCount: 32
        )
        let mac = Array(HMAC<SHA256>.authenticationCode(for: expectedPayload, using: clickKey))
        #expect(Array(bytes.suffix(16)) == Array(mac.prefix(16)))
    }

    @Test("Altering any byte of a click token makes it fail")
    func clickTamperEveryByte() throws {
        let signed = try ClickToken(trackingPixelID: self.pixel, linkIndex: 0, url: "https://example.com/x").signed(with: self.key)
        let bytes = try #require(self.base64URLDecode(signed))
        var accepted = 0
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var altered = bytes
                altered[position] ^= flip
                if (try? ClickToken.verify(self.base64URLEncode(altered), key: self.key)) != nil { accepted += 1 }
            }
        }
        #expect(accepted == 0)
    }

    @Test("A forged token (redirect target swapped, MAC kept or recomputed with another key) fails")
    func clickForgery() throws {
        let signed = try ClickToken(trackingPixelID: self.pixel, linkIndex: 0, url: "https://example.com/x").signed(with: self.key)
        let bytes = try #require(self.base64URLDecode(signed))
        let mac = Array(bytes.suffix(16))
        let evilPayload: [UInt8] = Array(bytes.prefix(19)) + Array("https://evil.example/".utf8)
        #expect(throws: DeliveryError.self) { try ClickToken.verify(self.base64URLEncode(evilPayload + mac), key: self.key) }
        let forged = try ClickToken(trackingPixelID: self.pixel, linkIndex: 0, url: "https://evil.example/").signed(with: self.otherKey)
        #expect { try ClickToken.verify(forged, key: self.key) } throws: { error in
            (error as? DeliveryError)?.code == .invalidToken
        }
    }

    @Test("Garbage, truncated, padded and oversized click tokens fail cleanly", arguments: [
        "",
        "a",
        "not a token",
        "AAAA",
        "////",
        String(repeating: "A", count: 40),
        String(repeating: "A", count: 20_000),
    ])
    func clickGarbage(token: String) {
        #expect(throws: DeliveryError.self) { try ClickToken.verify(token, key: self.key) }
    }

    @Test("Truncating a valid click token makes it fail")
    func clickTruncated() throws {
        let signed = try ClickToken(trackingPixelID: self.pixel, linkIndex: 0, url: "https://example.com/x").signed(with: self.key)
        for length in [signed.count - 1, signed.count - 4, signed.count / 2, 10] {
            #expect(throws: DeliveryError.self) { try ClickToken.verify(String(signed.prefix(length)), key: self.key) }
        }
        #expect(throws: DeliveryError.self) { try ClickToken.verify(signed + "A", key: self.key) }
        #expect(throws: DeliveryError.self) { try ClickToken.verify(signed + "=", key: self.key) }
    }

    @Test("Only absolute http(s) URLs without whitespace or control characters can be tracked", arguments: [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "mailto:a@b.example",
        "//evil.example/",
        "/relative",
        "https://",
        "https:///path",
        "https://example.com/a b",
        "https://example.com/\r\nSet-Cookie: x=1",
        "https://example.com/" + String(repeating: "a", count: 4_100),
    ])
    func clickRefusedURLs(url: String) {
        #expect(!ClickToken.isTrackable(url))
        #expect { try ClickToken(trackingPixelID: self.pixel, linkIndex: 0, url: url) } throws: { error in
            (error as? DeliveryError)?.code == .invalidLink
        }
    }

    @Test("Link indexes outside 0…65535 are refused")
    func clickIndexRange() {
        #expect(throws: DeliveryError.self) { try ClickToken(trackingPixelID: self.pixel, linkIndex: -1, url: "https://a.example/") }
        #expect(throws: DeliveryError.self) { try ClickToken(trackingPixelID: self.pixel, linkIndex: 65_536, url: "https://a.example/") }
        #expect(throws: Never.self) { try ClickToken(trackingPixelID: self.pixel, linkIndex: 65_535, url: "https://a.example/") }
    }

    // MARK: ReplyToken

    @Test("Reply tokens are 52 lowercase base32 characters and fit an email local part")
    func replyShape() throws {
        let thread = UUID()
        let token = ReplyToken(threadID: thread, recipient: "jane@example.com")
        let signed = token.signed(with: self.key)
        #expect(signed.count == ReplyToken.length)
        #expect(signed.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
        let address = token.replyAddress(domain: "reply.example.com", key: self.key)
        #expect(address == "reply+\(signed)@reply.example.com")
        #expect(try #require(address.split(separator: "@").first).count <= 64)
    }

    @Test("Reply tokens verify in any letter case and map back to thread and recipient")
    func replyRoundTrip() throws {
        let thread = UUID()
        let signed = ReplyToken(threadID: thread, recipient: " Jane@Example.COM ").signed(with: self.key)
        for variant in [signed, signed.uppercased(), " \(signed) "] {
            let decoded = try ReplyToken.verify(variant, key: self.key)
            #expect(decoded.threadID == thread)
            #expect(decoded.matches(recipient: "jane@example.com"))
            #expect(!decoded.matches(recipient: "jane@example.org"))
        }
        let fromAddress = try ReplyToken.verify(address: "reply+\(signed.uppercased())@reply.example.com", key: self.key)
        #expect(fromAddress.threadID == thread)
        #expect(throws: DeliveryError.self) { try ReplyToken.verify(address: "reply@reply.example.com", key: self.key) }
    }

    @Test("Changing any character of a reply token makes it fail")
    func replyTamper() throws {
        let signed = ReplyToken(threadID: UUID(), recipient: "jane@example.com").signed(with: self.key)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var accepted = 0
        for position in 0..<signed.count {
            var characters = Array(signed)
            let current = characters[position]
            for replacement in alphabet where replacement != current {
                characters[position] = replacement
                if (try? ReplyToken.verify(String(characters), key: self.key)) != nil { accepted += 1 }
            }
        }
        #expect(accepted == 0)
    }

    @Test("Reply tokens from another key, truncated or malformed fail", arguments: ["", "reply", String(repeating: "a", count: 52), String(repeating: "a", count: 51) + "1"])
    func replyInvalid(token: String) {
        #expect { try ReplyToken.verify(token, key: self.key) } throws: { error in
            (error as? DeliveryError)?.code == .invalidToken
        }
    }

    @Test("A reply token signed with another key fails; click and reply keys are separate")
    func replyWrongKey() throws {
        let token = ReplyToken(threadID: UUID(), recipient: "a@b.example")
        #expect(throws: DeliveryError.self) { try ReplyToken.verify(token.signed(with: self.otherKey), key: self.key) }
        #expect(throws: DeliveryError.self) { try ReplyToken.verify(String(token.signed(with: self.key).dropLast()), key: self.key) }
        // A click token is never accepted as a reply token and vice versa.
        let click = try ClickToken(trackingPixelID: self.pixel, linkIndex: 0, url: "https://a.example/").signed(with: self.key)
        #expect(throws: DeliveryError.self) { try ReplyToken.verify(click, key: self.key) }
        #expect(throws: DeliveryError.self) { try ClickToken.verify(token.signed(with: self.key), key: self.key) }
    }

    @Test("The reply MAC matches an independently computed HMAC-SHA256")
    func replyIndependentHMAC() throws {
        let thread = try #require(UUID(uuidString: "0B7D5B1C-3A52-4A8E-9F61-2D1C4E5F6A7B"))
        let signed = ReplyToken(threadID: thread, recipient: "Jane@Example.com").signed(with: self.key)
        let bytes = try #require(Self.base32Decode(signed))
        #expect(bytes.count == 32)
        let uuidBytes: [UInt8] = [0x0b, 0x7d, 0x5b, 0x1c, 0x3a, 0x52, 0x4a, 0x8e, 0x9f, 0x61, 0x2d, 0x1c, 0x4e, 0x5f, 0x6a, 0x7b]
        #expect(Array(bytes.prefix(16)) == uuidBytes)
        #expect(Array(bytes[16..<22]) == Array(SHA256.hash(data: Array("jane@example.com".utf8)).prefix(6)))
        let replyKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(Self.secret.utf8)),
            info: Array("herald/reply-token/v1".utf8),
            outputByteCount: 32
        )
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(bytes.prefix(22)), using: replyKey))
        #expect(Array(bytes.suffix(10)) == Array(mac.prefix(10)))
    }

    /// RFC 4648 base32 decoding, written independently: 5 bits per character.
    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var bits: [Bool] = []
        for character in text {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            for shift in (0..<5).reversed() { bits.append((value >> shift) & 1 == 1) }
        }
        return stride(from: 0, to: bits.count - bits.count % 8, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
    }
}
