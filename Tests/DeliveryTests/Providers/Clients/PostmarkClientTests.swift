import Curl
import Foundation
import Mail
import Providers
import Sandbox
import Testing

/// The Postmark client over real HTTP against the loopback sandbox.
@Suite("PostmarkClient against the sandbox")
struct PostmarkClientTests {
    typealias Support = ProviderClientTestSupport

    @Test("A single send is accepted and the sandbox records every field as sent")
    func singleSend() async throws {
        try await Support.withSandbox { sandbox in
            let client = await Support.postmark(sandbox)
            let email = PostmarkEmailRequest(
                from: "\"Herald\" <notifications@herald.example>",
                to: "\"Jane Doe\" <jane@example.com>",
                subject: "Re: Budget — Q3 & Q4",
                htmlBody: "<p>Hello <b>Jane</b> ✓</p>",
                textBody: "Hello Jane ✓",
                replyTo: "reply+abc123@reply.herald.example",
                headers: [
                    .init(name: "Message-ID", value: "<m1.r1@herald.example>"),
                    .init(name: "X-PM-KeepID", value: "true"),
                    .init(name: "In-Reply-To", value: "<m0@herald.example>"),
                ],
                tag: "discussion",
                metadata: ["herald_message_id": "m1"]
            )
            let result = await client.send(email)
            #expect(result.outcome == .success)
            #expect(result.errorCode == 0)
            #expect(result.httpStatus == 200)
            #expect(result.submittedAt != nil)
            let messageID = try #require(result.messageID)

            let received = sandbox.receivedEmails()
            try #require(received.count == 1)
            let sent = received[0]
            #expect(sent.messageID == messageID)
            #expect(sent.from == email.from)
            #expect(sent.to == email.to)
            #expect(sent.subject == email.subject)
            #expect(sent.htmlBody == email.htmlBody)
            #expect(sent.textBody == email.textBody)
            #expect(sent.replyTo == email.replyTo)
            #expect(sent.header("Message-ID") == "<m1.r1@herald.example>")
            #expect(sent.header("X-PM-KeepID") == "true")
            #expect(sent.header("In-Reply-To") == "<m0@herald.example>")
            #expect(sent.tag == "discussion")
            #expect(sent.metadata == ["herald_message_id": "m1"])
            #expect(sent.messageStream == "outbound")
            #expect(sent.trackOpens == false)
            #expect(sent.trackLinks == "None")
            #expect(sent.viaBatch == false)
            #expect(sandbox.counters().emailRequests == 1)
        }
    }

    @Test("Requests carry Accept, Content-Type and the server token; an unreadable 2xx answer is retryable")
    func requestHeaders() async throws {
        try await Support.withSandbox { sandbox in
            // The capture sink records headers and answers 204 with no body.
            let captureBase = await sandbox.captureURL("/postmark")
            let client = await Support.postmark(sandbox) { $0.apiURL = captureBase + "/" }
            let single = await client.send(Support.email())
            let batch = await client.sendBatch([Support.email(), Support.email(to: "b@example.com")])

            let captured = sandbox.capturedRequests()
            try #require(captured.count == 2)
            #expect(Set(captured.map(\.path)) == ["/_sandbox/capture/postmark/email", "/_sandbox/capture/postmark/email/batch"])
            for request in captured {
                #expect(request.header("Accept") == "application/json")
                #expect(request.header("Content-Type") == "application/json")
                #expect(request.header("X-Postmark-Server-Token") == "sandbox-postmark-token")
            }
            let batchBody = try #require(captured.first { $0.path.hasSuffix("/batch") })
            let elements = try JSONDecoder().decode([PostmarkEmailRequest].self, from: Data(batchBody.body))
            #expect(elements.map(\.to) == ["jane@example.com", "b@example.com"])

            for result in [single] + batch {
                #expect(result.outcome.isRetryable)
                #expect(result.outcome.alertsOperator)
                #expect(result.outcome.reason?.contains("HTTP 204") == true)
                #expect(result.httpStatus == 204)
                #expect(result.messageID == nil)
            }
        }
    }

    @Test("A batch of 1,201 goes out in 3 calls and every message is accepted, results in input order")
    func largeBatch() async throws {
        try await Support.withSandbox { sandbox in
            let client = await Support.postmark(sandbox)
            let emails = (0..<1_201).map { Support.email(to: "user\($0)@example.com", subject: "Message \($0)") }
            let results = await client.sendBatch(emails)

            #expect(sandbox.counters().batchRequests == 3)
            #expect(sandbox.counters().emailRequests == 0)
            #expect(sandbox.counters().emailsAccepted == 1_201)
            try #require(results.count == 1_201)
            #expect(results.allSatisfy { $0.outcome == .success && $0.errorCode == 0 })

            // Each result's MessageID belongs to the email at the same index.
            let recipientByMessageID = Dictionary(
                uniqueKeysWithValues: sandbox.receivedEmails().map { ($0.messageID, $0.to) })
            #expect(recipientByMessageID.count == 1_201)
            for (index, result) in results.enumerated() {
                let messageID = try #require(result.messageID)
                #expect(recipientByMessageID[messageID] == "user\(index)@example.com")
            }
        }
    }

    @Test("An empty batch makes no call")
    func emptyBatch() async throws {
        try await Support.withSandbox { sandbox in
            let client = await Support.postmark(sandbox)
            #expect(await client.sendBatch([]).isEmpty)
            #expect(sandbox.counters().batchRequests == 0)
        }
    }

    @Test("One inactive recipient in a batch of 10 fails alone, permanently, with suppression")
    func batchWithInactiveRecipient() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.setInactiveRecipient("bounced@example.com")
            let client = await Support.postmark(sandbox)
            var emails = (0..<10).map { Support.email(to: "user\($0)@example.com") }
            emails[3] = Support.email(to: "bounced@example.com")
            let results = await client.sendBatch(emails)

            try #require(results.count == 10)
            #expect(results[3].outcome.isPermanent)
            #expect(results[3].outcome.suppressesAddress)
            #expect(results[3].errorCode == 406)
            #expect(results[3].messageID == nil)
            for (index, result) in results.enumerated() where index != 3 {
                #expect(result.outcome == .success)
                #expect(result.messageID != nil)
            }
            #expect(sandbox.counters().batchRequests == 1)
            #expect(sandbox.receivedEmails().count == 9)
        }
    }

    @Test("HTTP 429 is retryable without an operator alert")
    func rateLimited() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .email, with: .status(429))
            let result = await Support.postmark(sandbox).send(Support.email())
            #expect(result.outcome.isRetryable)
            #expect(!result.outcome.alertsOperator)
            #expect(result.httpStatus == 429)
            #expect(result.errorCode == 429)
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test("HTTP 500 is retryable")
    func serverError() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .email, with: .status(500))
            let result = await Support.postmark(sandbox).send(Support.email())
            #expect(result.outcome.isRetryable)
            #expect(!result.outcome.alertsOperator)
            #expect(result.httpStatus == 500)
        }
    }

    @Test("A batch call that fails as a whole fails every message of that call")
    func wholeBatchRateLimited() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .batch, with: .status(429))
            let results = await Support.postmark(sandbox).sendBatch((0..<7).map { Support.email(to: "u\($0)@example.com") })
            #expect(results.count == 7)
            #expect(results.allSatisfy { $0.outcome.isRetryable && $0.httpStatus == 429 && $0.errorCode == 429 })
        }
    }

    @Test("A whole-call failure touches only its own chunk")
    func failureConfinedToChunk() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .batch, with: .status(503))
            let emails = (0..<600).map { Support.email(to: "u\($0)@example.com") }
            let results = await Support.postmark(sandbox).sendBatch(emails)
            try #require(results.count == 600)
            #expect(sandbox.counters().batchRequests == 2)
            // Chunks run concurrently, so either the 500-message or the 100-message chunk got the 503.
            let first = Array(results[0..<500])
            let second = Array(results[500...])
            let firstFailed = first.allSatisfy { $0.outcome.isRetryable && $0.httpStatus == 503 } && second.allSatisfy { $0.outcome == .success }
            let secondFailed = second.allSatisfy { $0.outcome.isRetryable && $0.httpStatus == 503 } && first.allSatisfy { $0.outcome == .success }
            #expect(firstFailed != secondFailed)
            #expect(sandbox.receivedEmails().count == (firstFailed ? 100 : 500))
        }
    }

    @Test("A wrong server token (HTTP 401, ErrorCode 10) is retryable with an operator alert, and the token is nowhere")
    func wrongToken() async throws {
        try await Support.withSandbox { sandbox in
            let secret = "pm-wrong-token-5f0c2b7e"
            let (logger, store) = RecordingLogHandler.logger()
            let client = await Support.postmark(sandbox, logger: logger) { $0.serverToken = secret }
            let result = await client.send(Support.email())
            let batch = await client.sendBatch([Support.email(), Support.email(to: "x@example.com")])
            for result in [result] + batch {
                #expect(result.outcome.isRetryable)
                #expect(result.outcome.alertsOperator)
                #expect(result.httpStatus == 401)
                #expect(result.errorCode == 10)
                #expect(result.outcome.reason?.contains(secret) == false)
            }
            #expect(store.all.count == 2)
            #expect(!store.all.contains { $0.contains(secret) })
            #expect(!client.configuration.description.contains(secret))
        }
    }

    @Test("An invalid address (ErrorCode 300) is permanent without suppression")
    func invalidAddress() async throws {
        try await Support.withSandbox { sandbox in
            let result = await Support.postmark(sandbox).send(Support.email(to: "not-an-address"))
            #expect(result.outcome.isPermanent)
            #expect(!result.outcome.suppressesAddress)
            #expect(result.errorCode == 300)
            #expect(result.httpStatus == 422)
        }
    }

    @Test("A response slower than the request timeout is a retryable timeout")
    func timeout() async throws {
        try await Support.withSandbox { sandbox in
            sandbox.responseDelay = .seconds(2)
            let client = await Support.postmark(sandbox) { $0.requestTimeout = .milliseconds(300) }
            let result = await client.send(Support.email())
            #expect(result.outcome.isRetryable)
            #expect(result.outcome.reason?.contains("timed out") == true)
            #expect(result.httpStatus == nil)
            #expect(result.errorCode == nil)
        }
    }

    @Test("An unreachable server is a retryable connection failure, for single and batch sends")
    func unreachable() async {
        let client = PostmarkClient(
            configuration: PostmarkConfiguration(serverToken: "t", apiURL: Support.unreachableURL),
            httpClient: Support.http, logger: Support.quietLogger)
        let single = await client.send(Support.email())
        let batch = await client.sendBatch([Support.email(), Support.email()])
        for result in [single] + batch {
            #expect(result.outcome.isRetryable)
            #expect(!result.outcome.alertsOperator)
            #expect(result.outcome.reason?.contains("connection failed") == true)
            #expect(result.httpStatus == nil)
        }
    }

    @Test("A composed email becomes a request on the configured message stream")
    func requestForComposedEmail() async throws {
        let key = try TokenSigningKey(secret: String(repeating: "k", count: 32))
        let composer = try EmailComposer(configuration: .init(publicURL: "https://h.example", messageIDDomain: "m.example"), signingKey: key)
        let composed = try composer.compose(
            OutboundEmail(
                messageID: UUID(), threadID: UUID(), from: try EmailAddress("a@b.example", name: "A"),
                to: try EmailAddress("c@d.example"), subject: "S", htmlBody: "<p>x</p>", textBody: "x",
                ancestors: [], replyDomain: "r.example", trackingPixelID: .generate()))
        let client = PostmarkClient(
            configuration: PostmarkConfiguration(serverToken: "t", messageStream: "notifications"), httpClient: Support.http)
        let request = client.request(for: composed)
        #expect(request.messageStream == "notifications")
        #expect(request.to == composed.to)
        #expect(request.headers.first?.name == "Message-ID")
    }
}
