import Foundation
import struct Providers.PostmarkHeader
import Testing

@testable import Sandbox

@Suite("Postmark logic (pure)")
struct PostmarkLogicTests {
    @Test func parsesAddressLists() throws {
        let parsed = try EmailAddressList.parse(
            "\"Doe, Jane\" <jane@example.com>, bob@example.com,  Carol <carol+tag@mail.example.org> ,")
        #expect(parsed.map(\.address) == ["jane@example.com", "bob@example.com", "carol+tag@mail.example.org"])
        #expect(parsed.map(\.name) == ["Doe, Jane", nil, "Carol"])
    }

    @Test(arguments: ["plain", "a@b", "a@-b.com", "a..b@example.com", ".a@example.com", "a@example..com", "a b@example.com", "<a@example.com", "x <a@example.com> y"])
    func rejectsBadAddresses(text: String) {
        #expect(throws: EmailAddressList.InvalidAddress.self) { try EmailAddressList.parse(text) }
    }

    @Test func validatorAcceptsAValidMessageAndListsRecipients() throws {
        let request = PostmarkEmailRequest(
            from: "n@herald.example", to: "a@example.com, B <b@example.com>", cc: "c@example.com", bcc: "d@example.com",
            subject: "s", textBody: "t")
        #expect(try PostmarkValidator.validate(request).get() == ["a@example.com", "b@example.com", "c@example.com", "d@example.com"])
    }

    @Test func validatorErrors() {
        func code(_ request: PostmarkEmailRequest) -> Int? {
            if case .failure(let error) = PostmarkValidator.validate(request) { return error.errorCode }
            return nil
        }
        let valid = PostmarkEmailRequest(from: "n@herald.example", to: "a@example.com", subject: "s", htmlBody: "<p>h</p>")
        #expect(code(valid) == nil)
        var request = valid
        request.from = nil
        #expect(code(request) == 300)
        request = valid
        request.from = "a@example.com, b@example.com"
        #expect(code(request) == 300)
        request = valid
        request.to = "  "
        #expect(code(request) == 300)
        request = valid
        request.cc = "broken"
        #expect(code(request) == 300)
        request = valid
        request.replyTo = "broken"
        #expect(code(request) == 300)
        request = valid
        request.htmlBody = ""
        #expect(code(request) == 300)
        request = valid
        request.headers = [PostmarkHeader(name: "", value: "x")]
        #expect(code(request) == 300)
        request = valid
        request.to = (0...50).map { "u\($0)@example.com" }.joined(separator: ",")
        #expect(code(request) == 300)
    }

    @Test func timestamps() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.999)
        #expect(Timestamp.iso8601(date) == "2023-11-14T22:13:20.999Z")
        #expect(Timestamp.rfc2822(date) == "Tue, 14 Nov 2023 22:13:20 +0000")
        #expect(Timestamp.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func identifiers() {
        let sid = Identifier.twilioSID(prefix: "SM")
        #expect(sid.count == 34 && sid.hasPrefix("SM") && sid.dropFirst(2).allSatisfy { $0.isHexDigit })
        #expect(sid != Identifier.twilioSID(prefix: "SM"))
        let configured = SandboxProviders.Configuration.defaultTwilioAccountSID
        #expect(configured.count == 34 && configured.hasPrefix("AC") && configured.dropFirst(2).allSatisfy { $0.isHexDigit })
    }

    @Test("Postmark MessageIDs are distinct lowercase version-4 UUIDs")
    func messageIDs() {
        let ids = (0..<2_000).map { _ in Identifier.postmarkMessageID() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let characters = Array(id)
            #expect(characters.count == 36)
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(characters[14] == "4", "version nibble of \(id)")
            #expect("89ab".contains(characters[19]), "variant of \(id)")
        }
    }
}
