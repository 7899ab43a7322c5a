import Foundation
import HeraldJSON
import HeraldTestSupport
import Mail
import Providers
import Testing

/// The HeraldJSON paths of the Postmark client against the Foundation forms they replaced.
@Suite("Postmark JSON: writer and answer reader against Foundation")
struct PostmarkJSONTests {
    private static let awkward: [String] = [
        "", "plain", "a/b", "\"quoted\"", "back\\slash", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}", "é中😀👩‍👩‍👧",
        "\u{2028}\u{2029}\u{FEFF}", "<a href=\"https://x.example/?a=1&b=2\">x</a>",
    ]

    private static func randomString(_ generator: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            text += Bool.random(using: &generator)
                ? awkward.randomElement(using: &generator)!
                : String(Unicode.Scalar(UInt32.random(in: 0x20...0x2FFF, using: &generator)) ?? "x")
        }
        return text
    }

    private static func randomRequest(_ generator: inout SeededGenerator) -> PostmarkEmailRequest {
        func maybe(_ generator: inout SeededGenerator) -> String? { Bool.random(using: &generator) ? randomString(&generator) : nil }
        let headers = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
            PostmarkHeader(name: randomString(&generator), value: randomString(&generator))
        }
        var metadata: [String: String]?
        if Bool.random(using: &generator) {
            metadata = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) { metadata?[randomString(&generator)] = randomString(&generator) }
        }
        return PostmarkEmailRequest(
            from: randomString(&generator), to: randomString(&generator), cc: maybe(&generator), subject: randomString(&generator),
            htmlBody: maybe(&generator), textBody: maybe(&generator), replyTo: maybe(&generator), headers: headers,
            tag: maybe(&generator), metadata: metadata, messageStream: randomString(&generator))
    }

    private func foundationEncoded(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private func object(_ bytes: [UInt8]) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSObject)
    }

    @Test("A realistic request: the same JSON as JSONEncoder's, members in the CodingKeys order")
    func realisticRequest() throws {
        let html = "<html><body><p class=\"greeting\">Hello Ada,</p>" + String(repeating: "<p>Invoice <a href=\"https://app.example/i/42\">#42</a> is due — 1 200,00 €.</p>\n", count: 20) + "</body></html>"
        let request = PostmarkEmailRequest(
            from: "\"NexusRMS\" <notifications@herald.example>", to: "ada@example.com", subject: "Payment overdue: invoice #42",
            htmlBody: html, textBody: "Hello Ada,\n\nInvoice #42 is due.", replyTo: nil,
            headers: [.init(name: "Message-ID", value: "<n.1@herald.example>"), .init(name: "X-PM-KeepID", value: "true")],
            tag: "notification", metadata: ["herald_notif_id": "0b5c"], messageStream: "outbound")
        // JSONEncoder on Linux orders members by hash, so compare parsed objects, and the order apart.
        #expect(try object(request.jsonBytes) == object(try foundationEncoded(request)))
        #expect(try object(PostmarkEmailRequest.jsonBytes([request, request])) == object(try foundationEncoded([request, request])))
        #expect(PostmarkEmailRequest.jsonBytes([]) == Array("[]".utf8))
        let keys = try JSONValue(parsing: request.jsonBytes).objectMembers?.map(\.key)
        #expect(keys == ["From", "To", "Subject", "HtmlBody", "TextBody", "Headers", "Tag", "Metadata", "MessageStream", "TrackOpens", "TrackLinks"])
        let text = String(decoding: request.jsonBytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"From":"\"NexusRMS\" <notifications@herald.example>","To":"ada@example.com","Subject":"Payment overdue: invoice #42","HtmlBody":"<html><body><p class=\"greeting\">Hello Ada,</p><p>Invoice <a href=\"https://app.example/i/42\">#42</a> is due — 1 200,00 €.</p>\n"#))
        #expect(text.hasSuffix(#"</body></html>","TextBody":"Hello Ada,\n\nInvoice #42 is due.","Headers":[{"Name":"Message-ID","Value":"<n.1@herald.example>"},{"Name":"X-PM-KeepID","Value":"true"}],"Tag":"notification","Metadata":{"herald_notif_id":"0b5c"},"MessageStream":"outbound","TrackOpens":false,"TrackLinks":"None"}"#))
    }

    @Test("Random requests: the writer's JSON decodes to the request and parses as JSONEncoder's does")
    func randomRequests() throws {
        var generator = SeededGenerator(seed: 0x9057_3A4C)
        for round in 0..<600 {
            let request = Self.randomRequest(&generator)
            let written = request.jsonBytes
            #expect(try JSONDecoder().decode(PostmarkEmailRequest.self, from: Data(written)) == request, "round \(round)")
            #expect(try object(written) == object(try foundationEncoded(request)), "round \(round)")
            // And HeraldJSON reads back exactly the strings written (scalar for scalar).
            let parsed = try JSONValue(parsing: written)
            #expect(parsed["HtmlBody"]?.stringValue.map { Array($0.unicodeScalars) } == request.htmlBody.map { Array($0.unicodeScalars) }, "round \(round)")
            #expect(parsed["Headers"]?.arrayValue?.count == request.headers.count)
        }
        let batch = (0..<7).map { _ in Self.randomRequest(&generator) }
        #expect(try JSONDecoder().decode([PostmarkEmailRequest].self, from: Data(PostmarkEmailRequest.jsonBytes(batch))) == batch)
    }

    @Test("Metadata keys are sorted, so equal requests give equal bytes")
    func sortedMetadata() {
        let request = PostmarkEmailRequest(from: "a@b.example", to: "c@d.example", subject: "s", htmlBody: nil, textBody: "t", metadata: ["b": "2", "a": "1", "c": "3"])
        let text = String(decoding: request.jsonBytes, as: UTF8.self)
        #expect(text.contains(#""Metadata":{"a":"1","b":"2","c":"3"}"#))
        #expect(!text.contains("Cc") && !text.contains("HtmlBody") && !text.contains("ReplyTo") && !text.contains("Tag"))
        #expect(text.hasSuffix(#""Headers":[],"Metadata":{"a":"1","b":"2","c":"3"},"MessageStream":"outbound","TrackOpens":false,"TrackLinks":"None"}"#))
    }

    static let answers: [String] = [
        #"{"To":"a@b.example","SubmittedAt":"2026-01-02T03:04:05Z","MessageID":"0a1b","ErrorCode":0,"Message":"OK"}"#,
        #"{"ErrorCode":406,"Message":"inactive"}"#, #"{"ErrorCode":300}"#, #"{"Message":"no code"}"#, #"{"ErrorCode":"zero"}"#,
        #"{"ErrorCode":0.0,"Message":"OK"}"#, #"{"ErrorCode":1e2}"#, #"{"ErrorCode":0.5}"#, #"{"ErrorCode":true}"#, #"{"ErrorCode":null}"#,
        #"{"ErrorCode":99999999999999999999}"#, #"{"To":17,"MessageID":["x"],"SubmittedAt":{},"Message":false,"ErrorCode":10}"#,
        #"{"To":null,"Extra":{"deep":[1,2,3]},"ErrorCode":0,"Message":"\u00e9\/"}"#, "{}", "[]", "null", "17", #""text""#,
        "", "<html>maintenance</html>", #"{"ErrorCode":0"#, #"[{"ErrorCode":0}]"#,
    ]

    static let batchAnswers: [String] = [
        #"[{"To":"a@x.example","MessageID":"m1","SubmittedAt":"t","ErrorCode":0,"Message":"OK"},{"ErrorCode":406,"Message":"inactive"},null,17,"x",[],{"ErrorCode":"0"}]"#,
        "[]", "{}", #"{"ErrorCode":0}"#, "", "[", "[1,2", "null",
    ]

    @Test("Answers read through JSONValue equal the Decodable form's")
    func answersMatchDecodable() throws {
        for text in Self.answers {
            let bytes = Array(text.utf8)
            let ours = PostmarkAnswer(parsing: bytes)
            let foundation = try? JSONDecoder().decode(PostmarkAnswer.self, from: Data(bytes))
            #expect(ours == foundation, "\(text)")
        }
        for text in Self.batchAnswers {
            let bytes = Array(text.utf8)
            let ours = PostmarkAnswer.batch(parsing: bytes)
            let foundation = try? JSONDecoder().decode([PostmarkAnswer].self, from: Data(bytes))
            #expect(ours == foundation, "\(text)")
        }
        let accepted = try #require(PostmarkAnswer(parsing: Array(Self.answers[0].utf8)))
        #expect(accepted.errorCode == 0 && accepted.messageID == "0a1b" && accepted.to == "a@b.example")
        #expect(PostmarkAnswer(parsing: Array(#"{"ErrorCode":1e2}"#.utf8))?.errorCode == 100)
    }

    @Test("Send results are the same through both readers, for every status")
    func resultsMatch() {
        for text in Self.answers {
            for status in [200, 401, 422, 429, 500] {
                let result = PostmarkClient.result(httpStatus: status, body: Array(text.utf8))
                let foundation = try? JSONDecoder().decode(PostmarkAnswer.self, from: Data(text.utf8))
                #expect(result.errorCode == foundation?.errorCode, "\(status) \(text)")
                #expect(result.httpStatus == status)
            }
        }
        let results = PostmarkClient.batchResults(httpStatus: 200, body: Array(Self.batchAnswers[0].utf8), count: 7)
        #expect(results.map(\.errorCode) == [0, 406, nil, nil, nil, nil, nil])
        #expect(results[0].messageID == "m1")
    }
}
