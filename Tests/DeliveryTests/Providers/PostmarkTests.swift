import Foundation
import Mail
import Providers
import Testing

@Suite("Postmark wire types and bounce classification")
struct PostmarkTests {
    private func jsonObject(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("Email requests use Postmark's exact field names and disable Postmark tracking")
    func requestFieldNames() throws {
        let request = PostmarkEmailRequest(
            from: "\"Ada\" <ada@example.com>",
            to: "jane@example.com",
            cc: "boss@example.com",
            subject: "Hi",
            htmlBody: "<p>Hi</p>",
            textBody: "Hi",
            replyTo: "reply+abc@reply.example.com",
            headers: [.init(name: "Message-ID", value: "<a@b>"), .init(name: "X-PM-KeepID", value: "true")],
            tag: "discussion",
            metadata: ["herald_message_id": "m1"],
            messageStream: "outbound"
        )
        let object = try self.jsonObject(request)
        #expect(Set(object.keys) == ["From", "To", "Cc", "Subject", "HtmlBody", "TextBody", "ReplyTo", "Headers", "Tag", "Metadata", "MessageStream", "TrackOpens", "TrackLinks"])
        #expect(object["TrackOpens"] as? Bool == false)
        #expect(object["TrackLinks"] as? String == "None")
        #expect(object["MessageStream"] as? String == "outbound")
        let headers = try #require(object["Headers"] as? [[String: String]])
        #expect(headers == [["Name": "Message-ID", "Value": "<a@b>"], ["Name": "X-PM-KeepID", "Value": "true"]])
        #expect(object["Metadata"] as? [String: String] == ["herald_message_id": "m1"])
    }

    @Test("Absent optional fields are left out of the JSON")
    func requestOmitsNil() throws {
        let object = try self.jsonObject(PostmarkEmailRequest(from: "a@b.example", to: "c@d.example", subject: "s", htmlBody: nil, textBody: "t"))
        #expect(Set(object.keys) == ["From", "To", "Subject", "TextBody", "Headers", "MessageStream", "TrackOpens", "TrackLinks"])
    }

    @Test("A composed email becomes a request with all its parts, and decodes back")
    func requestFromComposedEmail() throws {
        let key = try TokenSigningKey(secret: String(repeating: "k", count: 32))
        let composer = try EmailComposer(configuration: .init(publicURL: "https://h.example", messageIDDomain: "m.example"), signingKey: key)
        let composed = try composer.compose(
            OutboundEmail(
                messageID: UUID(),
                threadID: UUID(),
                from: try EmailAddress("a@b.example", name: "A"),
                to: try EmailAddress("c@d.example"),
                subject: "S",
                htmlBody: "<p>x</p>",
                textBody: "x",
                ancestors: [.received(messageIDHeader: "<p@q.example>")],
                replyDomain: "r.example",
                trackingPixelID: .generate()
            )
        )
        let request = PostmarkEmailRequest(composed, messageStream: "discussions")
        #expect(request.from == "\"A\" <a@b.example>")
        #expect(request.to == "c@d.example")
        #expect(request.subject == "Re: S")
        #expect(request.replyTo == composed.replyTo)
        #expect(request.headers.map(\.name) == ["Message-ID", "X-PM-KeepID", "In-Reply-To", "References", "X-Auto-Response-Suppress"])
        #expect(request.tag == "discussion")
        #expect(request.metadata?["herald_pixel_id"] == composed.trackingPixelID.rawValue)
        #expect(request.messageStream == "discussions")
        #expect(!request.trackOpens)
        #expect(request.trackLinks == "None")
        let decoded = try JSONDecoder().decode(PostmarkEmailRequest.self, from: JSONEncoder().encode(request))
        #expect(decoded == request)
    }

    @Test("Decoding tolerates absent optional fields and always resets tracking flags")
    func requestDecoding() throws {
        let json = Data(#"{"From":"a@b.example","To":"c@d.example","Subject":"s","TextBody":"t","TrackOpens":true,"TrackLinks":"HtmlAndText"}"#.utf8)
        let request = try JSONDecoder().decode(PostmarkEmailRequest.self, from: json)
        #expect(request.headers.isEmpty)
        #expect(request.messageStream == "outbound")
        #expect(!request.trackOpens)
        #expect(request.trackLinks == "None")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PostmarkEmailRequest.self, from: Data(#"{"To":"c@d.example"}"#.utf8)) }
    }

    @Test("Send responses decode for success, error and batch answers")
    func responses() throws {
        let success = try JSONDecoder().decode(
            PostmarkSendResponse.self,
            from: Data(#"{"To":"receiver@example.com","SubmittedAt":"2014-02-17T07:25:01.4178645-05:00","MessageID":"0a129aee-e1cd-480d-b08d-4f48548ff48d","ErrorCode":0,"Message":"OK"}"#.utf8)
        )
        #expect(success.isSuccess)
        #expect(success.messageID == "0a129aee-e1cd-480d-b08d-4f48548ff48d")
        #expect(success.to == "receiver@example.com")
        #expect(success.submittedAt == "2014-02-17T07:25:01.4178645-05:00")

        let failure = try JSONDecoder().decode(PostmarkSendResponse.self, from: Data(#"{"ErrorCode":406,"Message":"You tried to send to a recipient that has been marked as inactive."}"#.utf8))
        #expect(!failure.isSuccess)
        #expect(failure.messageID == nil)
        #expect(ProviderErrorClassifier.classifyPostmark(failure) == .permanent(reason: "Postmark ErrorCode 406: inactive recipient: You tried to send to a recipient that has been marked as inactive.", suppressAddress: true))

        let batch = try JSONDecoder().decode(
            [PostmarkSendResponse].self,
            from: Data(#"[{"ErrorCode":0,"Message":"OK","MessageID":"m1","SubmittedAt":"2010-11-26T12:01:05.1794748-05:00","To":"a@example.com"},{"ErrorCode":300,"Message":"Invalid 'To' address: 'x'."}]"#.utf8)
        )
        #expect(batch.map { ProviderErrorClassifier.classifyPostmark($0).isPermanent } == [false, true])
        #expect(ProviderErrorClassifier.classifyPostmark(batch[0]) == .success)
    }

    @Test("chunks(of:) splits batches at 500 in order", arguments: [0, 1, 499, 500, 501, 1_000, 1_234])
    func chunking(count: Int) {
        let items = Array(0..<count)
        let chunks = items.chunks(of: PostmarkBatch.maximumMessages)
        #expect(chunks.count == (count + 499) / 500)
        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= 500 })
        #expect(chunks.flatMap { $0 } == items)
        #expect(chunks.dropLast().allSatisfy { $0.count == 500 })
    }

    @Test("chunks(of:) treats sizes below 1 as 1")
    func chunkingDegenerate() {
        #expect([1, 2, 3].chunks(of: 0).map(Array.init) == [[1], [2], [3]])
        #expect([1, 2, 3].chunks(of: 10).map(Array.init) == [[1, 2, 3]])
    }

    // MARK: Bounces

    @Test("Bounce types by name", arguments: [
        ("HardBounce", BounceType.hard), ("BadEmailAddress", .hard), ("ManuallyDeactivated", .hard), ("Unsubscribe", .hard),
        ("SoftBounce", .soft), ("Transient", .soft), ("DnsError", .soft), ("AutoResponder", .soft), ("Blocked", .soft),
        ("ChallengeVerification", .soft), ("AddressChange", .soft), ("Unknown", .soft), ("DMARCPolicy", .soft),
        ("SpamComplaint", .complaint), ("SpamNotification", .complaint),
        ("hardbounce", .hard), (" SpamComplaint ", .complaint),
        ("ContentRelated", .soft), ("SomethingNew", .soft), ("", .soft),
    ])
    func bounceByName(type: String, expected: BounceType) {
        #expect(PostmarkBounceClassifier.classify(type: type) == expected)
    }

    @Test("Bounce types by TypeCode when the name is absent or unknown", arguments: [
        (1, BounceType.hard), (2, .soft), (16, .hard), (64, .soft), (256, .soft), (512, .complaint), (4096, .soft),
        (100_000, .hard), (100_001, .complaint), (100_002, .hard), (100_006, .soft), (999, .soft),
    ])
    func bounceByCode(code: Int, expected: BounceType) {
        #expect(PostmarkBounceClassifier.classify(type: nil, typeCode: code) == expected)
        #expect(PostmarkBounceClassifier.classify(type: "NotAPostmarkType", typeCode: code) == expected)
    }

    @Test("The name wins over a conflicting code")
    func nameWins() {
        #expect(PostmarkBounceClassifier.classify(type: "SoftBounce", typeCode: 1) == .soft)
    }

    @Test("The documented table is complete and consistent")
    func table() {
        #expect(PostmarkBounceClassifier.table.count == 22)
        #expect(Set(PostmarkBounceClassifier.table.map(\.type)).count == 22)
        #expect(Set(PostmarkBounceClassifier.table.map(\.typeCode)).count == 22)
        for entry in PostmarkBounceClassifier.table {
            #expect(PostmarkBounceClassifier.classify(type: entry.type) == entry.bounceType)
            #expect(PostmarkBounceClassifier.classify(type: nil, typeCode: entry.typeCode) == entry.bounceType)
        }
    }

    @Test("Suppression: hard bounces, complaints, and addresses Postmark deactivated")
    func suppression() {
        #expect(PostmarkBounceClassifier.shouldSuppress(.hard))
        #expect(PostmarkBounceClassifier.shouldSuppress(.complaint))
        #expect(!PostmarkBounceClassifier.shouldSuppress(.soft))
        #expect(PostmarkBounceClassifier.shouldSuppress(type: "HardBounce", inactive: false))
        #expect(!PostmarkBounceClassifier.shouldSuppress(type: "Transient", inactive: false))
        #expect(PostmarkBounceClassifier.shouldSuppress(type: "Transient", inactive: true))
    }
}
