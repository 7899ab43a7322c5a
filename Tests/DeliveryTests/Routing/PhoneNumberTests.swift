import Foundation
import Providers
import Testing

@Suite("PhoneNumber (E.164)")
struct PhoneNumberTests {
    @Test(
        "Valid numbers are accepted and normalised",
        arguments: [
            ("+14155552671", "+14155552671"),
            ("  +14155552671  ", "+14155552671"),
            ("+49 151 2345 6789", "+4915123456789"),
            ("+44\u{00A0}20\u{00A0}7946\u{00A0}0958", "+442079460958"),
            ("\t+33612345678\n", "+33612345678"),
            ("+12", "+12"),
            ("+123456789012345", "+123456789012345"),
        ]
    )
    func valid(raw: String, normalized: String) throws {
        let number = try #require(PhoneNumber(raw))
        #expect(number.e164 == normalized)
        #expect(PhoneNumber.normalize(raw) == normalized)
        #expect("\(number)" == normalized)
    }

    @Test(
        "Invalid numbers are refused",
        arguments: [
            "",
            "   ",
            "+",
            "+1",  // too short: at least 2 digits
            "14155552671",  // missing +
            "004915123456789",  // international prefix instead of +
            "+04155552671",  // leading zero after +
            "+1415555267a",  // letter
            "+1 (415) 555-2671",  // punctuation is not guessed away
            "+1-415-555-2671",
            "+1234567890123456",  // 16 digits: too long
            "++14155552671",
            "+1415555２６７１",  // full-width digits are not ASCII digits
            "+١٤١٥٥٥٥٢٦٧١",  // Arabic-Indic digits
            "tel:+14155552671",
        ]
    )
    func invalid(raw: String) {
        #expect(PhoneNumber(raw) == nil)
        #expect(PhoneNumber.normalize(raw) == nil)
    }

    @Test("isValidE164 checks the exact form without normalising")
    func exactForm() {
        #expect(PhoneNumber.isValidE164("+14155552671"))
        #expect(!PhoneNumber.isValidE164(" +14155552671"))
        #expect(!PhoneNumber.isValidE164("+1 4155552671"))
    }

    @Test("Codable round trip; decoding refuses an invalid number")
    func codable() throws {
        let number = try #require(PhoneNumber("+4915123456789"))
        let data = try JSONEncoder().encode(number)
        #expect(String(decoding: data, as: UTF8.self) == #""+4915123456789""#)
        #expect(try JSONDecoder().decode(PhoneNumber.self, from: data) == number)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PhoneNumber.self, from: Data(#""12345""#.utf8)) }
    }
}
