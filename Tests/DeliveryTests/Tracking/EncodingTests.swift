@testable import Mail
import Testing

@Suite("Base32 and Base64URL")
struct EncodingTests {
    @Test("Base32 matches the RFC 4648 test vectors (lowercased, unpadded)", arguments: [
        ("", ""), ("f", "my"), ("fo", "mzxq"), ("foo", "mzxw6"), ("foob", "mzxw6yq"), ("fooba", "mzxw6ytb"), ("foobar", "mzxw6ytboi"),
    ])
    func base32Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        #expect(Base32.decode(encoded.uppercased()) == Array(plain.utf8))
    }

    @Test("Base32 refuses invalid characters, impossible lengths and non-canonical padding bits")
    func base32Invalid() {
        #expect(Base32.decode("mzxw6yt1") == nil)  // '1' is not in the alphabet
        #expect(Base32.decode("m") == nil)  // 5 bits cannot make a byte
        #expect(Base32.decode("mzx") == nil)  // 15 bits: 7 left over
        #expect(Base32.decode("mz") == nil)  // "f" is "my": low padding bits of 'z' are set
        #expect(Base32.decode("mzxw6ytb=") == nil)
    }

    @Test("Base64URL matches RFC 4648 vectors and refuses non-canonical input", arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func base64URLVectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("Base64URL uses - and _ and rejects + / = and stray bits")
    func base64URLAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
        #expect(Base64URL.decode("+/+/") == nil)
        #expect(Base64URL.decode("Zg==") == nil)
        #expect(Base64URL.decode("Zh") == nil)  // same byte as "Zg" with a stray low bit
        #expect(Base64URL.decode("Z") == nil)
    }
}
