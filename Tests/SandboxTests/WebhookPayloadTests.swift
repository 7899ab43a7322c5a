import Foundation
import Testing

@testable import Sandbox

@Suite("Webhook payload builders (pure)")
struct WebhookPayloadTests {
    private let fixedDate = Date(timeIntervalSince1970: 1_700_000_000.25)  // 2023-11-14T22:13:20.250Z

    @Test func deliveryUsesPostmarkFieldNames() throws {
        let event = PostmarkDeliveryEvent(
            messageID: "883953f4-6105-42a2-a16a-77a8eac79483", recipient: "john@example.com", tag: "welcome",
            metadata: ["a": "b"], deliveredAt: fixedDate)
        let json = try object(event.jsonBody())
        #expect(Set(json.keys) == ["RecordType", "ServerID", "MessageStream", "MessageID", "Recipient", "Tag", "DeliveredAt", "Details", "Metadata"])
        #expect(json["RecordType"] as? String == "Delivery")
        #expect(json["Recipient"] as? String == "john@example.com")
        #expect(json["DeliveredAt"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(json["Metadata"] as? [String: String] == ["a": "b"])
    }

    @Test(arguments: [
        (PostmarkBounceType.hardBounce, 1, true), (.softBounce, 4096, false), (.transient, 2, false),
        (.dnsError, 256, false), (.badEmailAddress, 100_000, true), (.manuallyDeactivated, 100_002, true),
        (.spamNotification, 512, false),
    ])
    func bounceCarriesTypeAndTypeCode(type: PostmarkBounceType, code: Int, inactive: Bool) throws {
        let event = PostmarkBounceEvent(
            type: type, email: "john@example.com", messageID: "m-1", details: "550 no such user", bouncedAt: fixedDate,
            metadata: ["thread": "t"])
        let json = try object(event.jsonBody())
        #expect(json["RecordType"] as? String == "Bounce")
        #expect(json["Type"] as? String == type.rawValue)
        #expect(json["TypeCode"] as? Int == code)
        #expect(json["Name"] as? String == type.displayName)
        #expect(json["Email"] as? String == "john@example.com")
        #expect(json["MessageID"] as? String == "m-1")
        #expect(json["Details"] as? String == "550 no such user")
        #expect(json["Description"] as? String == type.summary)
        #expect(json["BouncedAt"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(json["Inactive"] as? Bool == inactive)
        #expect(json["Metadata"] as? [String: String] == ["thread": "t"])
        for key in ["ID", "ServerID", "MessageStream", "From", "Subject", "DumpAvailable", "CanActivate", "Content", "Tag"] {
            #expect(json[key] != nil, "missing \(key)")
        }
    }

    @Test func everyBounceTypeHasADistinctCode() {
        let codes = PostmarkBounceType.allCases.map(\.typeCode)
        #expect(Set(codes).count == codes.count)
        #expect(PostmarkBounceType.spamComplaint.typeCode == 100_001)
    }

    @Test func spamComplaintIsItsOwnRecordType() throws {
        let json = try object(PostmarkBounceEvent.spamComplaint(email: "john@example.com", messageID: "m-2").jsonBody())
        #expect(json["RecordType"] as? String == "SpamComplaint")
        #expect(json["Type"] as? String == "SpamComplaint")
        #expect(json["TypeCode"] as? Int == 100_001)
        #expect(json["Inactive"] as? Bool == true)
        #expect(json["CanActivate"] as? Bool == false)
    }

    @Test func openCarriesUserAgentClientOSAndGeo() throws {
        let event = PostmarkOpenEvent(
            messageID: "m-3", recipient: "john@example.com", firstOpen: false, receivedAt: fixedDate, userAgent: "UA/1.0",
            geo: PostmarkGeo(ip: "198.51.100.7", city: "Lyon", country: "France", countryISOCode: "FR"))
        let json = try object(event.jsonBody())
        #expect(json["RecordType"] as? String == "Open")
        #expect(json["FirstOpen"] as? Bool == false)
        #expect(json["UserAgent"] as? String == "UA/1.0")
        #expect(json["ReceivedAt"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(json["Recipient"] as? String == "john@example.com")
        let geo = try #require(json["Geo"] as? [String: Any])
        #expect(geo["IP"] as? String == "198.51.100.7")
        #expect(geo["CountryISOCode"] as? String == "FR")
        #expect(Set(geo.keys) == ["IP", "City", "Country", "CountryISOCode", "Region", "RegionISOCode", "Zip", "Coords"])
        let client = try #require(json["Client"] as? [String: Any])
        #expect(Set(client.keys) == ["Name", "Family", "Company"])
        #expect(json["OS"] is [String: Any])
        for key in ["Platform", "ReadSeconds", "MessageID", "MessageStream", "Metadata", "Tag"] {
            #expect(json[key] != nil, "missing \(key)")
        }
    }

    @Test func clickCarriesOriginalLink() throws {
        let event = PostmarkClickEvent(
            messageID: "m-4", recipient: "john@example.com", originalLink: "https://nexus.example/threads/9?a=1&b=2",
            receivedAt: fixedDate)
        let bytes = try event.jsonBody()
        let json = try object(bytes)
        #expect(json["RecordType"] as? String == "Click")
        #expect(json["OriginalLink"] as? String == "https://nexus.example/threads/9?a=1&b=2")
        #expect(json["ClickLocation"] as? String == "HTML")
        #expect(json["UserAgent"] != nil && json["Geo"] != nil && json["Client"] != nil && json["OS"] != nil)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\\/"))  // slashes are not escaped
    }

    @Test func inboundCarriesThreadingHeadersAndMailboxHash() throws {
        let inbound = PostmarkInboundMessage(
            from: "jane@client.example", fromName: "Jane", to: "reply+tok_abc123@reply.herald.example",
            subject: "Re: Kick-off", textBody: "Sounds good.\n\nOn Mon, Herald wrote:\n> Agenda", htmlBody: "<p>Sounds good.</p>",
            strippedTextReply: "Sounds good.", emailMessageID: "<reply-1@client.example>",
            inReplyTo: "<m1@herald.example>", references: ["<m0@herald.example>", "<m1@herald.example>"],
            date: fixedDate)
        let json = try object(inbound.jsonBody())
        #expect(json["From"] as? String == "jane@client.example")
        #expect(json["FromName"] as? String == "Jane")
        let fromFull = try #require(json["FromFull"] as? [String: Any])
        #expect(fromFull["Email"] as? String == "jane@client.example")
        #expect(fromFull["MailboxHash"] as? String == "")
        #expect(json["To"] as? String == "reply+tok_abc123@reply.herald.example")
        let toFull = try #require(json["ToFull"] as? [[String: Any]])
        #expect(toFull.first?["Email"] as? String == "reply+tok_abc123@reply.herald.example")
        #expect(toFull.first?["MailboxHash"] as? String == "tok_abc123")
        #expect(json["MailboxHash"] as? String == "tok_abc123")
        #expect(json["OriginalRecipient"] as? String == "reply+tok_abc123@reply.herald.example")
        #expect(json["Subject"] as? String == "Re: Kick-off")
        #expect(json["StrippedTextReply"] as? String == "Sounds good.")
        #expect(json["HtmlBody"] as? String == "<p>Sounds good.</p>")
        #expect(json["Date"] as? String == "Tue, 14 Nov 2023 22:13:20 +0000")
        #expect(UUID(uuidString: json["MessageID"] as? String ?? "") != nil)
        let headers = try #require(json["Headers"] as? [[String: String]])
        let byName = Dictionary(headers.map { ($0["Name"] ?? "", $0["Value"] ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(byName["Message-ID"] == "<reply-1@client.example>")
        #expect(byName["In-Reply-To"] == "<m1@herald.example>")
        #expect(byName["References"] == "<m0@herald.example> <m1@herald.example>")
        for key in ["Cc", "CcFull", "Bcc", "BccFull", "ReplyTo", "TextBody", "Tag", "MessageStream", "Attachments"] {
            #expect(json[key] != nil, "missing \(key)")
        }
    }

    @Test func mailboxHashIsThePlusPart() {
        #expect(PostmarkInboundAddress.mailboxHash(of: "reply+abc@x.example") == "abc")
        #expect(PostmarkInboundAddress.mailboxHash(of: "reply+a+b@x.example") == "a+b")
        #expect(PostmarkInboundAddress.mailboxHash(of: "plain@x.example") == "")
    }

    @Test func eventsBuiltFromARecordedEmailCarryItsIdentity() throws {
        let email = SandboxEmail(
            from: "n@herald.example", to: "\"Jane\" <jane@example.com>", cc: nil, bcc: nil, subject: "S", htmlBody: "h",
            textBody: nil, replyTo: nil, headers: [], tag: "digest", metadata: ["m": "1"], messageStream: "outbound",
            trackOpens: nil, trackLinks: nil, messageID: "id-9", submittedAt: fixedDate, viaBatch: false)
        let delivery = try object(PostmarkDeliveryEvent(email: email).jsonBody())
        #expect(delivery["Recipient"] as? String == "jane@example.com")
        #expect(delivery["MessageID"] as? String == "id-9")
        #expect(delivery["Tag"] as? String == "digest")
        let bounce = try object(PostmarkBounceEvent(type: .softBounce, of: email).jsonBody())
        #expect(bounce["Email"] as? String == "jane@example.com")
        #expect(bounce["Subject"] as? String == "S")
        #expect(bounce["TypeCode"] as? Int == 4096)
    }
}
