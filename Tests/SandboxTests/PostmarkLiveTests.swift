import Curl
import Foundation
import Sandbox
import Testing

@Suite("Postmark sandbox over loopback HTTP")
struct PostmarkLiveTests {
    @Test func refusesMissingOrWrongServerToken() async throws {
        try await withSandbox { sandbox in
            for token in [nil, "wrong-token"] as [String?] {
                let response = try await postmark(sandbox, path: "/email", json: message(), token: token)
                #expect(response.status == 401)
                #expect(try object(response)["ErrorCode"] as? Int == 10)
            }
            let batch = try await postmark(sandbox, path: "/email/batch", json: [message()], token: "nope")
            #expect(batch.status == 401)
            #expect(sandbox.receivedEmails().isEmpty)
            #expect(sandbox.counters().emailRequests == 2)
            #expect(sandbox.counters().batchRequests == 1)
            #expect(sandbox.counters().emailsAccepted == 0)
        }
    }

    @Test func refusesNonJSONAndMalformedJSON() async throws {
        try await withSandbox { sandbox in
            let plain = try await postmark(sandbox, path: "/email", json: message(), contentType: "text/plain")
            #expect(plain.status == 422)
            #expect(try object(plain)["ErrorCode"] as? Int == 409)

            let malformed = try await testClient.execute(
                HTTPRequest(
                    method: .POST, url: await sandbox.postmarkURL + "/email",
                    headers: [
                        HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json"),
                        HTTPHeader("X-Postmark-Server-Token", "sandbox-postmark-token"),
                    ],
                    body: Array("{\"From\": ".utf8)))
            #expect(malformed.status == 422)
            #expect(try object(malformed)["ErrorCode"] as? Int == 402)
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test func singleSendIsAnsweredAndRecorded() async throws {
        try await withSandbox { sandbox in
            let body = message(
                to: "\"Jane Doe\" <jane@example.com>, bob@example.com",
                extra: [
                    "Cc": "carol@example.com", "ReplyTo": "reply+tok123@reply.herald.example",
                    "Headers": [
                        ["Name": "Message-ID", "Value": "<m1@herald.example>"],
                        ["Name": "In-Reply-To", "Value": "<m0@herald.example>"],
                        ["Name": "X-PM-KeepID", "Value": "true"],
                    ],
                    "Tag": "discussion", "Metadata": ["message_id": "42", "attempt": "2"],
                    "MessageStream": "outbound", "TrackOpens": true, "TrackLinks": "HtmlOnly",
                ])
            let response = try await postmark(sandbox, path: "/email", json: body)
            #expect(response.status == 200)
            let json = try object(response)
            #expect(json["ErrorCode"] as? Int == 0)
            #expect(json["Message"] as? String == "OK")
            #expect(json["To"] as? String == "\"Jane Doe\" <jane@example.com>, bob@example.com")
            let messageID = try #require(json["MessageID"] as? String)
            #expect(UUID(uuidString: messageID) != nil)
            let submittedAt = try #require(json["SubmittedAt"] as? String)
            #expect(submittedAt.hasSuffix("Z") && submittedAt.contains("T"))

            let emails = sandbox.receivedEmails()
            #expect(emails.count == 1)
            let email = try #require(emails.first)
            #expect(email.messageID == messageID)
            #expect(email.from == "Herald <notifications@herald.example>")
            #expect(email.toAddresses == ["jane@example.com", "bob@example.com"])
            #expect(email.cc == "carol@example.com")
            #expect(email.subject == "Hello")
            #expect(email.htmlBody == "<p>Hi</p>")
            #expect(email.textBody == "Hi")
            #expect(email.replyTo == "reply+tok123@reply.herald.example")
            #expect(email.header("message-id") == "<m1@herald.example>")
            #expect(email.header("In-Reply-To") == "<m0@herald.example>")
            #expect(email.headers.count == 3)
            #expect(email.tag == "discussion")
            #expect(email.metadata == ["message_id": "42", "attempt": "2"])
            #expect(email.messageStream == "outbound")
            #expect(email.trackOpens == true)
            #expect(email.trackLinks == "HtmlOnly")
            #expect(email.viaBatch == false)
            #expect(sandbox.counters().emailsAccepted == 1)
        }
    }

    @Test(arguments: [
        ("not-an-address", true), ("jane@", false), ("jane@localhost", false), ("ja ne@example.com", false),
        ("jane@@example.com", false), ("Jane <jane.example.com>", true),
    ])
    func invalidRecipientGivesErrorCode300(address: String, missingAt: Bool) async throws {
        try await withSandbox { sandbox in
            let response = try await postmark(sandbox, path: "/email", json: message(to: address))
            #expect(response.status == 422)
            let json = try object(response)
            #expect(json["ErrorCode"] as? Int == 300)
            let text = try #require(json["Message"] as? String)
            #expect(text.contains("'To'"))
            #expect(text.contains("'@' symbol") == missingAt)
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test func missingFieldsAreRefusedWith300() async throws {
        try await withSandbox { sandbox in
            var noBodies = message()
            noBodies["HtmlBody"] = nil
            noBodies["TextBody"] = nil
            var noSubject = message()
            noSubject["Subject"] = nil
            var noTo = message()
            noTo["To"] = nil
            var badFrom = message()
            badFrom["From"] = "herald"
            for body in [noBodies, noSubject, noTo, badFrom] {
                let response = try await postmark(sandbox, path: "/email", json: body)
                #expect(response.status == 422)
                #expect(try object(response)["ErrorCode"] as? Int == 300)
            }
            #expect(sandbox.receivedEmails().isEmpty)
        }
    }

    @Test func inactiveRecipientGives406() async throws {
        try await withSandbox { sandbox in
            sandbox.setInactiveRecipient("Gone@Example.com")
            let response = try await postmark(sandbox, path: "/email", json: message(to: "gone@example.com"))
            #expect(response.status == 422)
            #expect(try object(response)["ErrorCode"] as? Int == 406)
            let viaCc = try await postmark(sandbox, path: "/email", json: message(extra: ["Cc": "gone@example.com"]))
            #expect(try object(viaCc)["ErrorCode"] as? Int == 406)
            sandbox.setInactiveRecipient("gone@example.com", inactive: false)
            let again = try await postmark(sandbox, path: "/email", json: message(to: "gone@example.com"))
            #expect(again.status == 200)
            #expect(sandbox.receivedEmails().count == 1)
        }
    }

    @Test func batchOf501IsRefusedAsAWhole() async throws {
        try await withSandbox { sandbox in
            let batch = (0..<501).map { message(to: "user\($0)@example.com") }
            let response = try await postmark(sandbox, path: "/email/batch", json: batch)
            #expect(response.status == 422)
            #expect(try object(response)["ErrorCode"] as? Int == 410)
            #expect(sandbox.receivedEmails().isEmpty)

            let full = (0..<500).map { message(to: "user\($0)@example.com") }
            let accepted = try await postmark(sandbox, path: "/email/batch", json: full)
            #expect(accepted.status == 200)
            #expect(try array(accepted).count == 500)
            #expect(sandbox.counters().emailsAccepted == 500)
        }
    }

    @Test func batchElementsFailAlone() async throws {
        try await withSandbox { sandbox in
            sandbox.setInactiveRecipient("bounced@example.com")
            var noBody = message(to: "c@example.com")
            noBody["HtmlBody"] = nil
            noBody["TextBody"] = nil
            let batch: [Any] = [
                message(to: "a@example.com", subject: "one"),
                message(to: "bounced@example.com", subject: "two"),
                message(to: "no-at-sign", subject: "three"),
                noBody,
                ["From": "x@example.com", "To": 17],  // wrong JSON type fails only this element
                message(to: "b@example.com", subject: "six"),
            ]
            let response = try await postmark(sandbox, path: "/email/batch", json: batch)
            #expect(response.status == 200)
            let results = try array(response)
            #expect(results.map { $0["ErrorCode"] as? Int } == [0, 406, 300, 300, 403, 0])
            try #require(results.count == 6)
            #expect(results[0]["To"] as? String == "a@example.com")
            #expect(results[0]["Message"] as? String == "OK")
            #expect(results[1]["MessageID"] == nil)
            let emails = sandbox.receivedEmails()
            #expect(emails.map(\.subject) == ["one", "six"])
            #expect(emails.allSatisfy { $0.viaBatch })
            #expect(emails.map(\.messageID) == [results[0]["MessageID"] as? String, results[5]["MessageID"] as? String])
            #expect(Set(emails.map(\.messageID)).count == 2)
        }
    }

    @Test func injected429FailsExactlyNRequestsThenRecovers() async throws {
        try await withSandbox { sandbox in
            sandbox.failNext(2, endpoint: .email, with: .status(429))
            sandbox.failNext(1, endpoint: .batch, with: .status(500))
            #expect(sandbox.pendingFailures(.email) == 2)
            for _ in 0..<2 {
                let response = try await postmark(sandbox, path: "/email", json: message())
                #expect(response.status == 429)
                #expect(try object(response)["ErrorCode"] as? Int == 429)
            }
            let recovered = try await postmark(sandbox, path: "/email", json: message())
            #expect(recovered.status == 200)

            let failedBatch = try await postmark(sandbox, path: "/email/batch", json: [message()])
            #expect(failedBatch.status == 500)
            let okBatch = try await postmark(sandbox, path: "/email/batch", json: [message()])
            #expect(okBatch.status == 200)
            #expect(sandbox.receivedEmails().count == 2)
            #expect(sandbox.counters().emailRequests == 3)
            #expect(sandbox.counters().batchRequests == 2)
            #expect(sandbox.pendingFailures(.email) == 0)
        }
    }

    @Test func responseDelayIsHonouredAndChangeableWhileRunning() async throws {
        try await withSandbox { sandbox in
            let clock = ContinuousClock()
            sandbox.responseDelay = .milliseconds(300)
            let elapsed = try await clock.measure {
                let response = try await postmark(sandbox, path: "/email", json: message())
                #expect(response.status == 200)
            }
            #expect(elapsed >= .milliseconds(300))

            // Delayed requests wait concurrently: 40 requests of 2 s each would take 80 s one after another.
            sandbox.responseDelay = .seconds(2)
            let together = try await clock.measure {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<40 {
                        group.addTask { try await postmark(sandbox, path: "/email", json: message(to: "u\(index)@example.com")).status }
                    }
                    for try await status in group { #expect(status == 200) }
                }
            }
            // Half the serial time leaves room for a machine slowed many times over.
            #expect(together < .seconds(40))
            #expect(sandbox.receivedEmails().count == 41)

            sandbox.reset()
            #expect(sandbox.responseDelay == .zero)
            #expect(sandbox.receivedEmails().isEmpty)
            #expect(sandbox.counters() == SandboxCounters())
        }
    }

    @Test func recordingCanBeTurnedOffForBenchmarks() async throws {
        try await withSandbox(.init(recordMessages: false)) { sandbox in
            let response = try await postmark(sandbox, path: "/email", json: message())
            #expect(response.status == 200)
            #expect(sandbox.receivedEmails().isEmpty)
            #expect(sandbox.counters().emailsAccepted == 1)
        }
    }
}
