import Foundation
import HeraldJSON
import struct Providers.PostmarkHeader
import Testing

@testable import Sandbox

/// The sandbox reads Postmark requests through HeraldJSON, strictly, and writes answers with the
/// members `JSONEncoder` wrote.
@Suite("Sandbox Postmark JSON (pure)")
struct PostmarkJSONReadingTests {
    static let bodies: [String] = [
        #"{"From":"a@b.example","To":"c@d.example","Subject":"s","TextBody":"t"}"#,
        #"{"From":"a@b.example","To":"c@d.example","Cc":"e@f.example","Bcc":"g@h.example","Subject":"s","HtmlBody":"<p>h</p>","TextBody":"t","ReplyTo":"r@x.example","Headers":[{"Name":"Message-ID","Value":"<m@x>"},{"Name":"X","Value":"","Extra":1}],"Tag":"t","Metadata":{"s":"x","i":2,"d":2.5,"e":1e2,"z":-0,"b":true,"n":null,"big":1e300},"MessageStream":"outbound","TrackOpens":true,"TrackLinks":"HtmlOnly","Unknown":{"x":[1]}}"#,
        #"{"From":null,"To":null,"Headers":null,"Metadata":null,"TrackOpens":null}"#,
        "{}",
        // Each of these fails the whole request (403 for /email, 403 for a batch element alone).
        #"{"From":"a@b.example","To":17}"#,
        #"{"Subject":["s"]}"#,
        #"{"Headers":{}}"#,
        #"{"Headers":[{"Name":"X"}]}"#,
        #"{"Headers":[{"Name":"X","Value":null}]}"#,
        #"{"Headers":[{"Name":1,"Value":"v"}]}"#,
        #"{"Headers":[null]}"#,
        #"{"Headers":["X: v"]}"#,
        #"{"Metadata":[]}"#,
        #"{"Metadata":{"a":[1]}}"#,
        #"{"Metadata":{"a":{}}}"#,
        #"{"TrackOpens":"true"}"#,
        #"{"TrackOpens":1}"#,
        #"{"TrackLinks":false}"#,
        "[]", "null", "17", #""text""#,
    ]

    @Test("Only well-shaped requests are read: known members, each of its JSON type (ErrorCode 403 otherwise)")
    func strictShapes() throws {
        let accepted = [0, 2, 3]
        for (index, text) in Self.bodies.enumerated() {
            let ours = try? PostmarkEmailRequest(json: JSONValue(parsing: text))
            #expect((ours != nil) == accepted.contains(index), "\(text)")
            #expect(PostmarkRequestReading.viaHeraldJSON(Array(text.utf8)) == accepted.contains(index), "\(text)")
        }
        let refusals: [(String, String)] = [
            (#"{"Metadata":{"i":2}}"#, "Metadata.i"),
            (#"{"Metadata":{"n":null}}"#, "Metadata.n"),
            (#"{"Metadata":{"Key":"a","key":"b"}}"#, "Metadata.key"),
            (#"{"Unknown":1}"#, "Unknown"),
            (#"{"To":"a@b.example","to":"c@d.example"}"#, "to"),
            (#"{"TrackLinks":"Always"}"#, "TrackLinks"),
            (#"{"Attachments":[{"Name":"a.pdf","Content":"AA=="}]}"#, "Attachments[0]"),
        ]
        for (text, member) in refusals {
            let error = #expect(throws: PostmarkRequestShapeError.self, "\(text)") { try PostmarkEmailRequest(json: JSONValue(parsing: text)) }
            #expect(error?.member == member, "\(text)")
        }
        let full = try PostmarkEmailRequest(json: JSONValue(parsing:
            #"{"From":"a@b.example","Headers":[{"Name":"Message-ID","Value":"<m@x>"}],"Metadata":{"s":"x"},"TrackOpens":true,"TrackLinks":"HtmlOnly","Attachments":[{"Name":"a.pdf","Content":"AA==","ContentType":"application/pdf"}]}"#))
        #expect(full.metadata == ["s": "x"])
        #expect(full.headers == [PostmarkHeader(name: "Message-ID", value: "<m@x>")])
        #expect(full.trackOpens == true && full.trackLinks == "HtmlOnly")
        #expect(full.attachments?.first?.name == "a.pdf")
    }

    @Test("A wrong member names itself in the error")
    func shapeErrors() {
        let error = #expect(throws: PostmarkRequestShapeError.self) { try PostmarkEmailRequest(json: ["Headers": [["Name": "X"]]]) }
        #expect(error?.member == "Headers[0]")
        let notObject = #expect(throws: PostmarkRequestShapeError.self) { try PostmarkEmailRequest(json: [1]) }
        #expect(notObject?.member == "")
    }

    @Test("A batch: elements that are not requests fail alone; a body that is not an array is refused")
    func batches() throws {
        let text = "[" + Self.bodies.joined(separator: ",") + "]"
        let ours = try #require(PostmarkEmailRequest.batch(json: JSONValue(parsing: text)))
        #expect(ours.count == Self.bodies.count)
        #expect(ours.compactMap { try? $0.get() }.count == 3)
        #expect(PostmarkEmailRequest.batch(json: ["From": "a@b.example"]) == nil)
        #expect(PostmarkEmailRequest.batch(json: [])?.isEmpty == true)
    }

    @Test("Answers carry the members JSONEncoder wrote, nil ones left out")
    func answers() throws {
        let results = [
            SandboxProviders.PostmarkSendResult(
                to: "\"Jane\" <jane@example.com>", submittedAt: "2026-01-02T03:04:05.000Z", messageID: "b7a1", errorCode: 0, message: "OK"),
            SandboxProviders.PostmarkSendResult(errorCode: 300, message: "Invalid 'To' address: 'x/y'."),
        ]
        for result in results {
            var writer = JSONWriter()
            result.write(to: &writer)
            #expect(try jsonObject(writer.bytes) == jsonObject(Array(JSONEncoder().encode(result))))
        }
        #expect(!String(decoding: { var w = JSONWriter(); results[1].write(to: &w); return w.bytes }(), as: UTF8.self).contains("MessageID"))
        for error in [PostmarkAPIError.badToken, .jsonRequired, .invalidJSON, .inactiveRecipients(["a@b.example"]), .injected(status: 503)] {
            var writer = JSONWriter()
            error.write(to: &writer)
            #expect(try jsonObject(writer.bytes) == jsonObject(Array(JSONEncoder().encode(error))))
        }
    }

    private func jsonObject(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }
}
