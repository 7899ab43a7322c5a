import Curl
import Foundation
import Sandbox
import Testing

@Suite("Twilio sandbox over loopback HTTP")
struct TwilioLiveTests {
    @Test func parsesTheFormAndAnswersWithAMessageResource() async throws {
        try await withSandbox { sandbox in
            let response = try await twilio(
                sandbox,
                form: [
                    ("To", "+14155550100"), ("From", "+14155550199"), ("Body", "Urgent: server down & 100% CPU"),
                    ("StatusCallback", "http://127.0.0.1:9/webhooks/twilio/status?x=1"),
                ])
            #expect(response.status == 201)
            let json = try object(response)
            let sid = try #require(json["sid"] as? String)
            #expect(sid.hasPrefix("SM") && sid.count == 34)
            #expect(sid.dropFirst(2).allSatisfy { $0.isHexDigit })
            #expect(json["status"] as? String == "queued")
            #expect(json["to"] as? String == "+14155550100")
            #expect(json["from"] as? String == "+14155550199")
            #expect(json["body"] as? String == "Urgent: server down & 100% CPU")
            #expect(json["account_sid"] as? String == sandbox.configuration.twilioAccountSID)
            #expect(json["api_version"] as? String == "2010-04-01")
            #expect(json["direction"] as? String == "outbound-api")
            #expect(json["num_segments"] as? String == "1")
            #expect(json["error_code"] is NSNull)
            #expect((json["date_created"] as? String)?.hasSuffix("+0000") == true)
            #expect(json["uri"] as? String == "/2010-04-01/Accounts/\(sandbox.configuration.twilioAccountSID)/Messages/\(sid).json")

            let sms = try #require(sandbox.receivedSMS().first)
            #expect(sms.sid == sid)
            #expect(sms.to == "+14155550100")
            #expect(sms.from == "+14155550199")
            #expect(sms.body == "Urgent: server down & 100% CPU")
            #expect(sms.statusCallback == "http://127.0.0.1:9/webhooks/twilio/status?x=1")
            #expect(sandbox.counters().smsAccepted == 1)
        }
    }

    @Test func messagingServiceSendIsAccepted() async throws {
        try await withSandbox { sandbox in
            let response = try await twilio(
                sandbox, form: [("To", "+447700900123"), ("MessagingServiceSid", "MG" + String(repeating: "a", count: 32)), ("Body", "hi")])
            #expect(response.status == 201)
            let json = try object(response)
            #expect(json["status"] as? String == "accepted")
            #expect(json["from"] is NSNull)
            #expect(sandbox.receivedSMS().first?.messagingServiceSID == "MG" + String(repeating: "a", count: 32))
        }
    }

    @Test(arguments: ["4155550100", "+0123456", "+1", "+1415555010012345", "+1 415 555 0100", "+1415abc"])
    func nonE164ToIsRefusedWith21211(to: String) async throws {
        try await withSandbox { sandbox in
            let response = try await twilio(sandbox, form: [("To", to), ("From", "+14155550199"), ("Body", "x")])
            #expect(response.status == 400)
            let json = try object(response)
            #expect(json["code"] as? Int == 21211)
            #expect(json["status"] as? Int == 400)
            #expect(json["more_info"] as? String == "https://www.twilio.com/docs/errors/21211")
            #expect((json["message"] as? String)?.contains(to) == true)
            #expect(sandbox.receivedSMS().isEmpty)
        }
    }

    @Test func unsubscribedNumberIsRefusedWith21610() async throws {
        try await withSandbox { sandbox in
            sandbox.setUnsubscribedNumber("+14155550100")
            let response = try await twilio(sandbox, form: [("To", "+14155550100"), ("From", "+14155550199"), ("Body", "x")])
            #expect(response.status == 400)
            #expect(try object(response)["code"] as? Int == 21610)
            let other = try await twilio(sandbox, form: [("To", "+14155550101"), ("From", "+14155550199"), ("Body", "x")])
            #expect(other.status == 201)
            #expect(sandbox.receivedSMS().map(\.to) == ["+14155550101"])
        }
    }

    @Test func refusesBadCredentialsAndForeignAccounts() async throws {
        try await withSandbox { sandbox in
            let form = [("To", "+14155550100"), ("From", "+14155550199"), ("Body", "x")]
            let wrongToken = try await twilio(
                sandbox, form: form, auth: BasicAuth(username: sandbox.configuration.twilioAccountSID, password: "wrong"))
            #expect(wrongToken.status == 401)
            #expect(try object(wrongToken)["code"] as? Int == 20003)
            let none = try await twilio(sandbox, form: form, auth: nil)
            #expect(none.status == 401)
            let foreign = try await twilio(sandbox, form: form, accountSID: "AC" + String(repeating: "1", count: 32))
            #expect(foreign.status == 404)
            #expect(sandbox.receivedSMS().isEmpty)
            #expect(sandbox.counters().smsRequests == 3)
        }
    }

    @Test func missingParametersGetTwiliosCodes() async throws {
        try await withSandbox { sandbox in
            let cases: [([(String, String)], Int)] = [
                ([("From", "+14155550199"), ("Body", "x")], 21604),
                ([("To", "+14155550100"), ("Body", "x")], 21603),
                ([("To", "+14155550100"), ("From", "+14155550199")], 21602),
                ([("To", "+14155550100"), ("From", "+14155550199"), ("Body", String(repeating: "a", count: 1601))], 21617),
            ]
            for (form, code) in cases {
                let response = try await twilio(sandbox, form: form)
                #expect(response.status == 400)
                #expect(try object(response)["code"] as? Int == code)
            }
        }
    }

    @Test func injectedFailuresUseTwilioErrorCodes() async throws {
        try await withSandbox { sandbox in
            sandbox.failNext(1, endpoint: .sms, with: .status(429))
            sandbox.failNext(1, endpoint: .sms, with: .status(503))
            let form = [("To", "+14155550100"), ("From", "+14155550199"), ("Body", "x")]
            let limited = try await twilio(sandbox, form: form)
            #expect(limited.status == 429)
            #expect(try object(limited)["code"] as? Int == 20429)
            let unavailable = try await twilio(sandbox, form: form)
            #expect(unavailable.status == 503)
            #expect(try object(unavailable)["code"] as? Int == 20503)
            let ok = try await twilio(sandbox, form: form)
            #expect(ok.status == 201)
            #expect(sandbox.receivedSMS().count == 1)
        }
    }
}
