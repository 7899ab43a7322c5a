import Curl
import Foundation
import Sandbox
import Testing

/// One test per Twilio rule of docs/providers.md that the sandbox did not enforce before.
@Suite("Strict Twilio rules over loopback HTTP")
struct StrictTwilioRuleTests {
    static let valid: [(String, String)] = [("To", "+14155550100"), ("From", "+14155550199"), ("Body", "Hi")]

    @Test("The create request must be form-encoded")
    func formEncoding() async throws {
        try await withSandbox { sandbox in
            let response = try await testClient.execute(
                HTTPRequest(
                    method: .POST, url: await sandbox.twilioMessagesURL,
                    headers: [HTTPHeader("Content-Type", "application/json")],
                    body: Array(#"{"To":"+14155550100","From":"+14155550199","Body":"Hi"}"#.utf8),
                    basicAuth: BasicAuth(username: sandbox.configuration.twilioAccountSID, password: "sandbox-twilio-token")))
            #expect(response.status == 400)
            #expect(try object(response)["code"] as? Int == 20001)
            #expect(sandbox.receivedSMS().isEmpty)
        }
    }

    @Test("StatusCallback must be an absolute http(s) URL with a host and a path (21609)", arguments: [
        "/webhooks/twilio/status", "ftp://herald.example/status", "https://herald_example.com/status", "https://herald.example",
        "https://herald.example/a b", "https://user@herald.example/status", "https://herald.example:99999/status",
        "https://herald.example/" + String(repeating: "a", count: 4000),
    ])
    func statusCallback(url: String) async throws {
        try await withSandbox { sandbox in
            let response = try await twilio(sandbox, form: Self.valid + [("StatusCallback", url)])
            #expect(response.status == 400)
            #expect(try object(response)["code"] as? Int == 21609)
            #expect(sandbox.receivedSMS().isEmpty)
        }
    }

    @Test("A good StatusCallback is accepted")
    func goodStatusCallback() async throws {
        try await withSandbox { sandbox in
            let response = try await twilio(sandbox, form: Self.valid + [("StatusCallback", "https://herald.example:8443/webhooks/twilio/status?x=1")])
            #expect(response.status == 201)
        }
    }

    @Test("MessagingServiceSid must be MG + 32 hex digits (21701)")
    func messagingService() async throws {
        try await withSandbox { sandbox in
            let response = try await twilio(sandbox, form: [("To", "+14155550100"), ("MessagingServiceSid", "MG123"), ("Body", "Hi")])
            #expect(response.status == 400)
            #expect(try object(response)["code"] as? Int == 21701)
        }
    }

    @Test("Body: at most 1,600 characters, counted in UTF-16 units (21617)")
    func bodyLength() async throws {
        try await withSandbox { sandbox in
            let emoji = String(repeating: "👍", count: 801)  // 801 characters, 1,602 UTF-16 units
            let response = try await twilio(sandbox, form: [("To", "+14155550100"), ("From", "+14155550199"), ("Body", emoji)])
            #expect(response.status == 400)
            #expect(try object(response)["code"] as? Int == 21617)
            let atLimit = try await twilio(sandbox, form: [("To", "+14155550100"), ("From", "+14155550199"), ("Body", String(repeating: "👍", count: 800))])
            #expect(atLimit.status == 201)
        }
    }
}
