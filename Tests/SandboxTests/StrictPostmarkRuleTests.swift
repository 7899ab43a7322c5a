import Curl
import Foundation
import Sandbox
import Testing

/// One test per rule of docs/providers.md: the sandbox refuses, over real HTTP, a request that
/// breaks it, with Postmark's status and ErrorCode, and records nothing.
@Suite("Strict Postmark rules over loopback HTTP")
struct StrictPostmarkRuleTests {
    /// A message `base` with `changes` applied (`NSNull()` removes a member).
    static func with(_ changes: [String: Any]) -> [String: Any] {
        var body = message()
        for (key, value) in changes {
            if value is NSNull { body[key] = nil } else { body[key] = value }
        }
        return body
    }

    /// Posts raw bytes with exactly the given headers.
    static func raw(_ sandbox: SandboxProviders, path: String = "/email", headers: [HTTPHeader], body: [UInt8]) async throws -> Curl.HTTPResponse {
        try await testClient.execute(HTTPRequest(method: .POST, url: await sandbox.postmarkURL + path, headers: headers, body: body))
    }

    static func expectRefused(_ response: Curl.HTTPResponse, status: Int = 422, code: Int, _ comment: Comment? = nil) throws {
        #expect(response.status == status, comment)
        #expect(try object(response)["ErrorCode"] as? Int == code, comment)
    }

    static let token = HTTPHeader("X-Postmark-Server-Token", "sandbox-postmark-token")

    @Test("Accept and Content-Type must both be application/json (409)")
    func acceptAndContentType() async throws {
        try await withSandbox { sandbox in
            let body = Array(try JSONSerialization.data(withJSONObject: message()))
            let json = HTTPHeader("Content-Type", "application/json")
            let noAccept = try await Self.raw(sandbox, headers: [json, Self.token], body: body)
            try Self.expectRefused(noAccept, code: 409, "no Accept")
            let htmlAccept = try await Self.raw(sandbox, headers: [json, HTTPHeader("Accept", "text/html"), Self.token], body: body)
            try Self.expectRefused(htmlAccept, code: 409, "Accept text/html")
            let lookalike = try await Self.raw(
                sandbox, headers: [HTTPHeader("Content-Type", "application/jsonx"), HTTPHeader("Accept", "application/json"), Self.token], body: body)
            try Self.expectRefused(lookalike, code: 409, "Content-Type application/jsonx")
            let fine = try await Self.raw(
                sandbox, headers: [HTTPHeader("Content-Type", "application/json; charset=utf-8"), HTTPHeader("Accept", "application/json"), Self.token],
                body: body)
            #expect(fine.status == 200)
            #expect(sandbox.receivedEmails().count == 1)
        }
    }

    @Test("Every member has its JSON type; unknown or duplicated members are refused (403)", arguments: [
        #"{"To":17}"#, #"{"Subject":["s"]}"#, #"{"Headers":["X: v"]}"#, #"{"Metadata":{"n":1}}"#, #"{"TrackOpens":"true"}"#,
        #"{"TrackLinks":false}"#, #"{"TrackLinks":"Always"}"#, #"{"Metdata":{"a":"b"}}"#, #"{"Attachments":"a.pdf"}"#,
    ])
    func jsonTypes(changeJSON: String) async throws {
        let change = try #require(try JSONSerialization.jsonObject(with: Data(changeJSON.utf8)) as? [String: Any])
        try await withSandbox { sandbox in
            let response = try await postmark(sandbox, path: "/email", json: Self.with(change))
            try Self.expectRefused(response, code: 403, "\(change)")
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test("At most 50 recipients in To, Cc and Bcc together (300)")
    func recipientsTogether() async throws {
        try await withSandbox { sandbox in
            let list = { (prefix: String, count: Int) in (0..<count).map { "\(prefix)\($0)@example.com" }.joined(separator: ", ") }
            let over = Self.with(["To": list("t", 20), "Cc": list("c", 20), "Bcc": list("b", 11)])
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: over), code: 300)
            let exactly = Self.with(["To": list("t", 20), "Cc": list("c", 20), "Bcc": list("b", 10)])
            #expect(try await postmark(sandbox, path: "/email", json: exactly).status == 200)
        }
    }

    @Test("Addresses follow Postmark's ASCII mailbox and domain patterns (300)", arguments: ["jülia@example.com", "a@exämple.com", "a@exa_mple.com"])
    func asciiAddresses(address: String) async throws {
        try await withSandbox { sandbox in
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: message(to: address)), code: 300)
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["ReplyTo": address])), code: 300)
            // A non-ASCII display name is fine.
            #expect(try await postmark(sandbox, path: "/email", json: message(to: "\"Jülia Ørsted 🚀\" <julia@example.com>")).status == 200)
        }
    }

    @Test("Subject: one line of at most 998 characters (300)", arguments: ["Hi\r\nBcc: x@example.com", "Tab\there", String(repeating: "é", count: 999)])
    func subject(value: String) async throws {
        try await withSandbox { sandbox in
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: message(subject: value)), code: 300)
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test("Header names are printable ASCII without ':'; values have no CR/LF; lines at most 998 (300)", arguments: [
        ["Name": "X Bad", "Value": "v"], ["Name": "X:Bad", "Value": "v"], ["Name": "X-É", "Value": "v"],
        ["Name": "X-Inject", "Value": "a\r\nBcc: victim@example.com"], ["Name": "X-Lf", "Value": "a\nb"],
        ["Name": "X-Long", "Value": String(repeating: "a", count: 991)], ["Name": "", "Value": "v"],
    ])
    func headers(header: [String: String]) async throws {
        try await withSandbox { sandbox in
            let response = try await postmark(sandbox, path: "/email", json: Self.with(["Headers": [header]]))
            try Self.expectRefused(response, code: 300, "\(header)")
        }
    }

    @Test("Metadata: at most 10 fields, names ≤ 20, values ≤ 80 (300); names unique without case (403)")
    func metadata() async throws {
        try await withSandbox { sandbox in
            let eleven = Dictionary(uniqueKeysWithValues: (0..<11).map { ("k\($0)", "v") })
            let longName = ["herald_notification_id": "0b5c2a34-9d7e-4f61-8a2b-3c4d5e6f7a8b"]
            let longValue = ["type": String(repeating: "x", count: 81)]
            let longEmoji = ["type": String(repeating: "👍", count: 41)]  // 41 characters, 82 UTF-16 units
            for metadata in [eleven, longName, longValue, longEmoji] {
                let response = try await postmark(sandbox, path: "/email", json: Self.with(["Metadata": metadata]))
                try Self.expectRefused(response, code: 300, "\(metadata.keys.sorted())")
                #expect(try object(response)["Message"] as? String ?? "" == "" || (try object(response)["Message"] as? String ?? "").contains("metadata"))
            }
            let limit = Dictionary(uniqueKeysWithValues: (0..<10).map { (String(repeating: "n", count: 19) + "\($0)", String(repeating: "v", count: 80)) })
            #expect(try await postmark(sandbox, path: "/email", json: Self.with(["Metadata": limit])).status == 200)
            let caseTwins = try await Self.raw(
                sandbox, headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json"), Self.token],
                body: Array(#"{"From":"a@herald.example","To":"b@example.com","Subject":"s","TextBody":"t","Metadata":{"Key":"1","key":"2"}}"#.utf8))
            try Self.expectRefused(caseTwins, code: 403)
            #expect(sandbox.receivedEmails().count == 1)
        }
    }

    @Test("Tag: at most 1,000 characters, one line (300)")
    func tag() async throws {
        try await withSandbox { sandbox in
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["Tag": String(repeating: "t", count: 1001)])), code: 300)
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["Tag": "a\nb"])), code: 300)
            #expect(try await postmark(sandbox, path: "/email", json: Self.with(["Tag": String(repeating: "t", count: 1000)])).status == 200)
        }
    }

    @Test("MessageStream must exist and not be inbound")
    func messageStream() async throws {
        try await withSandbox { sandbox in
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["MessageStream": "nope"])), code: 1235)
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["MessageStream": "inbound"])), code: 1236)
            #expect(try await postmark(sandbox, path: "/email", json: Self.with(["MessageStream": "broadcast"])).status == 200)
            #expect(try await postmark(sandbox, path: "/email", json: Self.with(["MessageStream": NSNull()])).status == 200)
        }
    }

    @Test("Bodies: each at most 5 MB; the message at most 10 MB with attachments (300)")
    func sizes() async throws {
        try await withSandbox { sandbox in
            let big = String(repeating: "a", count: 5 * 1024 * 1024 + 1)
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["TextBody": big])), code: 300)
            let fourMB = String(repeating: "A", count: 4 * 1024 * 1024)
            let attachments = (0..<2).map { ["Name": "part\($0).pdf", "Content": fourMB, "ContentType": "application/pdf"] }
            let heavy = Self.with(["TextBody": String(repeating: "a", count: 3 * 1024 * 1024), "Attachments": attachments])
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: heavy), code: 300)
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test("Attachments: forbidden extensions (411), base64 content and a media type (300)")
    func attachments() async throws {
        try await withSandbox { sandbox in
            for name in ["setup.exe", "run.BAT", "noextension"] {
                let attachment = ["Name": name, "Content": "AAAA", "ContentType": "application/octet-stream"]
                try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["Attachments": [attachment]])), code: 411, "\(name)")
            }
            for (content, type) in [("not base64!", "application/pdf"), ("AAA", "application/pdf"), ("AAAA", "")] {
                let attachment = ["Name": "a.pdf", "Content": content, "ContentType": type]
                try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["Attachments": [attachment]])), code: 300, "\(content)")
            }
            let good = ["Name": "a.pdf", "Content": "JVBERi0=", "ContentType": "application/pdf"]
            #expect(try await postmark(sandbox, path: "/email", json: Self.with(["Attachments": [good]])).status == 200)
        }
    }

    @Test("A batch has 1 to 500 messages (300 / 410) and at most 50 MB; /email at most 10 MB")
    func batchLimits() async throws {
        try await withSandbox { sandbox in
            try Self.expectRefused(try await postmark(sandbox, path: "/email/batch", json: [] as [Any]), code: 300)
            let tenMB = String(repeating: "a", count: 10 * 1024 * 1024)
            try Self.expectRefused(try await postmark(sandbox, path: "/email", json: Self.with(["TextBody": tenMB])), code: 300)
            let element = Self.with(["TextBody": String(repeating: "a", count: 4 * 1024 * 1024)])
            let response = try await postmark(sandbox, path: "/email/batch", json: Array(repeating: element, count: 13))
            try Self.expectRefused(response, code: 300)
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }
}
