import Curl
import Foundation
import Providers
import Sandbox
import Testing

/// The Twilio client over real HTTP against the loopback sandbox.
@Suite("TwilioClient against the sandbox")
struct TwilioClientTests {
    typealias Support = ProviderClientTestSupport

    @Test("Form fields arrive exactly: To with its '+', Body with spaces, ampersands, symbols and unicode")
    func formFields() async throws {
        try await Support.withSandbox { sandbox in
            let client = await Support.twilio(sandbox)
            let text = "Tom & Jerry: 50% off + free=yes? a/b #1 ünïcødé 日本語 🎉\nline two"
            let result = await client.sendSMS(to: try Support.phone("+14155552671"), body: text)
            #expect(result.outcome == .success)
            #expect(result.httpStatus == 201)
            #expect(result.status == "queued")
            #expect(result.errorCode == nil)
            let sid = try #require(result.sid)

            let received = sandbox.receivedSMS()
            try #require(received.count == 1)
            let sms = received[0]
            #expect(sms.sid == sid)
            #expect(sms.to == "+14155552671")
            #expect(sms.body == text)
            #expect(sms.from == "+15005550006")
            #expect(sms.messagingServiceSID == nil)
            #expect(sms.statusCallback == nil)
            #expect(Set(sms.parameters.keys) == ["To", "From", "Body"])
            #expect(sms.accountSID == sandbox.configuration.twilioAccountSID)
        }
    }

    @Test("Requests carry basic auth, the form content type and Accept; an unreadable 2xx answer is retryable")
    func requestHeaders() async throws {
        try await Support.withSandbox { sandbox in
            let captureBase = await sandbox.captureURL("/twilio")
            let client = await Support.twilio(sandbox) { $0.apiURL = captureBase }
            let result = await client.sendSMS(to: try Support.phone("+14155552671"), body: "hi")

            let captured = sandbox.capturedRequests()
            try #require(captured.count == 1)
            let request = captured[0]
            #expect(request.path == "/_sandbox/capture/twilio/2010-04-01/Accounts/\(sandbox.configuration.twilioAccountSID)/Messages.json")
            #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
            #expect(request.header("Accept") == "application/json")
            let authorization = try #require(request.header("Authorization"))
            #expect(authorization.hasPrefix("Basic "))
            let credentials = Data(base64Encoded: String(authorization.dropFirst(6))).map { String(decoding: $0, as: UTF8.self) }
            #expect(credentials == "\(sandbox.configuration.twilioAccountSID):\(sandbox.configuration.twilioAuthToken)")
            #expect(request.bodyString == "To=%2B14155552671&From=%2B15005550006&Body=hi")

            #expect(result.outcome.isRetryable)
            #expect(result.outcome.alertsOperator)
            #expect(result.httpStatus == 204)
            #expect(result.sid == nil)
        }
    }

    @Test("The status callback is sent when configured")
    func statusCallback() async throws {
        try await Support.withSandbox { sandbox in
            let callback = "https://herald.example/webhooks/twilio/status"
            let client = await Support.twilio(sandbox) { $0.statusCallbackURL = callback }
            let result = await client.sendSMS(to: try Support.phone("+4915123456789"), body: "Urgent: server down")
            #expect(result.outcome == .success)
            #expect(sandbox.receivedSMS().first?.statusCallback == callback)
        }
    }

    @Test("A Messaging Service sender is sent as MessagingServiceSid, without From")
    func messagingService() async throws {
        try await Support.withSandbox { sandbox in
            let service = "MG0123456789abcdef0123456789abcdef"
            let client = await Support.twilio(sandbox) { $0.sender = .messagingService(sid: service) }
            let result = await client.sendSMS(to: try Support.phone("+14155552671"), body: "hi")
            #expect(result.outcome == .success)
            #expect(result.status == "accepted")
            let sms = try #require(sandbox.receivedSMS().first)
            #expect(sms.messagingServiceSID == service)
            #expect(sms.from == nil)
            #expect(sms.parameters["From"] == nil)
        }
    }

    @Test("An unsubscribed recipient (21610) is permanent with suppression")
    func unsubscribed() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.setUnsubscribedNumber("+14155550100")
            let result = await Support.twilio(sandbox).sendSMS(to: try Support.phone("+14155550100"), body: "hi")
            #expect(result.outcome.isPermanent)
            #expect(result.outcome.suppressesAddress)
            #expect(result.errorCode == 21610)
            #expect(result.httpStatus == 400)
            #expect(sandbox.receivedSMS().isEmpty)
        }
    }

    @Test("An invalid To number (21211), answered by the sandbox over HTTP, maps to permanent with suppression")
    func invalidNumber() async throws {
        // PhoneNumber refuses invalid numbers before any call, so the client cannot send one;
        // post the form directly and map the real answer with the client's own mapping.
        try await Support.withSandbox { sandbox in
            let form = TwilioMessageRequest(to: try Support.phone("+14155552671"), from: "+15005550006", body: "hi")
                .formEncoded().replacingOccurrences(of: "To=%2B14155552671", with: "To=555-0100")
            let response = try await Support.http.execute(
                Curl.HTTPRequest(
                    method: .POST, url: await sandbox.twilioMessagesURL,
                    headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8),
                    basicAuth: BasicAuth(username: sandbox.configuration.twilioAccountSID, password: sandbox.configuration.twilioAuthToken)))
            let result = TwilioClient.result(httpStatus: response.status, body: response.body)
            #expect(result.httpStatus == 400)
            #expect(result.errorCode == 21211)
            #expect(result.outcome.isPermanent)
            #expect(result.outcome.suppressesAddress)
        }
    }

    @Test("HTTP 429 (code 20429) is retryable without an operator alert")
    func rateLimited() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .sms, with: .status(429))
            let result = await Support.twilio(sandbox).sendSMS(to: try Support.phone("+14155552671"), body: "hi")
            #expect(result.outcome.isRetryable)
            #expect(!result.outcome.alertsOperator)
            #expect(result.errorCode == 20429)
            #expect(result.httpStatus == 429)
        }
    }

    @Test("HTTP 500 is retryable")
    func serverError() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .sms, with: .status(500))
            let result = await Support.twilio(sandbox).sendSMS(to: try Support.phone("+14155552671"), body: "hi")
            #expect(result.outcome.isRetryable)
            #expect(result.httpStatus == 500)
        }
    }

    @Test("A wrong auth token (401, code 20003) is retryable with an operator alert, and the token is nowhere")
    func wrongToken() async throws {
        try await Support.withSandbox { sandbox in
            let secret = "tw-wrong-token-9a8b7c6d"
            let (logger, store) = RecordingLogHandler.logger()
            let client = await Support.twilio(sandbox, logger: logger) { $0.authToken = secret }
            let result = await client.sendSMS(to: try Support.phone("+14155552671"), body: "hi")
            #expect(result.outcome.isRetryable)
            #expect(result.outcome.alertsOperator)
            #expect(result.errorCode == 20003)
            #expect(result.httpStatus == 401)
            #expect(result.outcome.reason?.contains(secret) == false)
            #expect(store.all.count == 1)
            #expect(!store.all.contains { $0.contains(secret) })
            #expect(!client.configuration.description.contains(secret))
        }
    }

    @Test("A response slower than the request timeout is a retryable timeout")
    func timeout() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.responseDelay = .seconds(2)
            let client = await Support.twilio(sandbox) { $0.requestTimeout = .milliseconds(300) }
            let result = await client.sendSMS(to: try Support.phone("+14155552671"), body: "hi")
            #expect(result.outcome.isRetryable)
            #expect(result.outcome.reason?.contains("timed out") == true)
            #expect(result.httpStatus == nil)
        }
    }

    @Test("An unreachable server is a retryable connection failure")
    func unreachable() async throws {
        let client = TwilioClient(
            configuration: TwilioConfiguration(
                accountSID: "AC1", authToken: "t", sender: .from("+15005550006"), apiURL: Support.unreachableURL),
            httpClient: Support.http, logger: Support.quietLogger)
        let result = await client.sendSMS(to: try Support.phone("+14155552671"), body: "hi")
        #expect(result.outcome.isRetryable)
        #expect(!result.outcome.alertsOperator)
        #expect(result.outcome.reason?.contains("connection failed") == true)
    }
}
