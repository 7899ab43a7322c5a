import Curl
import Foundation
import Sandbox
import Testing

@Suite("Firing webhooks over loopback HTTP")
struct WebhookPostingTests {
    @Test func postsPostmarkWebhooksAsJSONWithBasicAuth() async throws {
        try await withSandbox { sandbox in
            let sent = try await postmark(sandbox, path: "/email", json: message(extra: ["Tag": "t1", "Metadata": ["k": "v"]]))
            #expect(sent.status == 200)
            let email = try #require(sandbox.receivedEmails().first)
            let url = await sandbox.captureURL("/webhooks/postmark")
            let response = try await sandbox.postPostmarkWebhook(
                PostmarkBounceEvent(type: .hardBounce, of: email), to: url,
                basicAuth: BasicAuth(username: "postmark", password: "s3cret"))
            #expect(response.status == 204)

            let captured = try #require(sandbox.capturedRequests().first)
            #expect(captured.path == "/_sandbox/capture/webhooks/postmark")
            #expect(captured.header("Content-Type") == "application/json")
            #expect(captured.header("Authorization") == "Basic " + Data("postmark:s3cret".utf8).base64EncodedString())
            let json = try object(captured.body)
            #expect(json["RecordType"] as? String == "Bounce")
            #expect(json["MessageID"] as? String == email.messageID)
            #expect(json["Email"] as? String == "jane@example.com")
            #expect(json["Tag"] as? String == "t1")
            #expect(json["Metadata"] as? [String: String] == ["k": "v"])
        }
    }

    @Test func postsSignedTwilioStatusCallbacks() async throws {
        try await withSandbox { sandbox in
            let callbackURL = await sandbox.captureURL("/webhooks/twilio/status?tenant=7")
            let sent = try await twilio(
                sandbox, form: [("To", "+14155550100"), ("From", "+14155550199"), ("Body", "x"), ("StatusCallback", callbackURL)])
            #expect(sent.status == 201)
            let sms = try #require(sandbox.receivedSMS().first)
            let target = try #require(sms.statusCallback)
            let callback = TwilioStatusCallback(sms: sms, status: .undelivered)
            let response = try await sandbox.postTwilioStatusCallback(callback, to: target)
            #expect(response.status == 204)

            let captured = try #require(sandbox.capturedRequests().first)
            #expect(captured.header("Content-Type") == "application/x-www-form-urlencoded")
            let parameters = Dictionary(
                uniqueKeysWithValues: captured.bodyString.split(separator: "&").map { pair -> (String, String) in
                    let parts = pair.split(separator: "=", maxSplits: 1).map {
                        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                    }
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                })
            #expect(parameters["MessageSid"] == sms.sid)
            #expect(parameters["MessageStatus"] == "undelivered")
            #expect(parameters["ErrorCode"] == "30003")
            #expect(parameters["To"] == "+14155550100")
            #expect(parameters["From"] == "+14155550199")
            #expect(parameters["AccountSid"] == sandbox.configuration.twilioAccountSID)
            let signature = try #require(captured.header("X-Twilio-Signature"))
            // A receiver recomputes the signature from its own URL and the decoded parameters.
            #expect(TwilioSignature.isValid(signature, authToken: "sandbox-twilio-token", url: target, parameters: parameters))
            #expect(!TwilioSignature.isValid(signature, authToken: "other-token", url: target, parameters: parameters))
        }
    }

    @Test func unreachableWebhookTargetThrows() async throws {
        try await withSandbox { sandbox in
            let delivery = PostmarkDeliveryEvent(messageID: UUID().uuidString.lowercased(), recipient: "a@example.com")
            // Port 9 (discard) is closed on loopback: the transport error surfaces as CurlError.
            await #expect(throws: CurlError.self) {
                _ = try await sandbox.postPostmarkWebhook(delivery, to: "http://127.0.0.1:9/webhooks/postmark")
            }
        }
    }
}
