import Foundation
import Testing

@testable import Sandbox

@Suite("Twilio logic (pure)")
struct TwilioLogicTests {
    /// The worked example of Twilio's webhook-security documentation and its expected signature, and the
    /// variant with the older example numbers used by twilio-node's tests.
    @Test(arguments: [
        ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ])
    func signatureMatchesTwiliosDocumentedExample(number: String, expected: String) {
        let parameters = [
            "CallSid": "CA1234567890ABCDE", "Caller": number, "Digits": "1234", "From": number, "To": "+18005551212",
        ]
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(TwilioSignature.compute(authToken: "12345", url: url, parameters: parameters) == expected)
        #expect(TwilioSignature.isValid(expected, authToken: "12345", url: url, parameters: parameters))
        var tampered = parameters
        tampered["Digits"] = "9999"
        #expect(!TwilioSignature.isValid(expected, authToken: "12345", url: url, parameters: tampered))
        #expect(!TwilioSignature.isValid(expected, authToken: "12345", url: url + "&baz=3", parameters: parameters))
    }

    @Test func statusCallbackParametersAndBody() {
        let callback = TwilioStatusCallback(
            messageSID: "SM" + String(repeating: "0", count: 32), status: .delivered, to: "+14155550100",
            from: "+14155550199", accountSID: "AC" + String(repeating: "f", count: 32))
        let parameters = callback.parameters
        #expect(parameters["MessageStatus"] == "delivered")
        #expect(parameters["SmsStatus"] == "delivered")
        #expect(parameters["MessageSid"] == callback.messageSID)
        #expect(parameters["ErrorCode"] == nil)
        let body = String(decoding: callback.formBody(), as: UTF8.self)
        #expect(body.contains("To=%2B14155550100"))
        let decoded = Dictionary(uniqueKeysWithValues: FormURLEncoding.decode(Array(body.utf8)).map { ($0.name, $0.value) })
        #expect(decoded == parameters)
        #expect(callback.signature(url: "http://h/x", authToken: "t")
            == TwilioSignature.compute(authToken: "t", url: "http://h/x", parameters: decoded))

        var failed = callback
        failed.status = .failed
        failed.errorCode = 30005
        #expect(failed.parameters["ErrorCode"] == "30005")
    }

    @Test func formDecodingHandlesPlusPercentAndOddInput() {
        let pairs = FormURLEncoding.decode(Array("To=%2B1415&Body=Hello+w%C3%B6rld%21&Empty=&Flag&Bad=%zz%4".utf8))
        #expect(pairs.map(\.name) == ["To", "Body", "Empty", "Flag", "Bad"])
        #expect(pairs.map(\.value) == ["+1415", "Hello wörld!", "", "", "%zz%4"])
        let roundTrip = FormURLEncoding.encode([("a b", "x&y=z+ü")])
        #expect(FormURLEncoding.decode(Array(roundTrip.utf8)).first.map { [$0.name, $0.value] } == ["a b", "x&y=z+ü"])
    }

    @Test func e164() {
        for valid in ["+14155550100", "+447700900123", "+12", "+123456789012345"] {
            #expect(TwilioValidator.isE164(valid), "\(valid)")
        }
        for invalid in ["14155550100", "+0123", "+1", "+1234567890123456", "+1 415", "++1415", "", "+1415x"] {
            #expect(!TwilioValidator.isE164(invalid), "\(invalid)")
        }
        #expect(TwilioValidator.isAlphanumericSenderID("Herald"))
        #expect(!TwilioValidator.isAlphanumericSenderID("123456"))
        #expect(!TwilioValidator.isAlphanumericSenderID("TooLongSender"))
    }

    @Test func segments() {
        #expect(TwilioValidator.segments(String(repeating: "a", count: 160)) == 1)
        #expect(TwilioValidator.segments(String(repeating: "a", count: 161)) == 2)
        #expect(TwilioValidator.segments(String(repeating: "a", count: 306)) == 2)
        #expect(TwilioValidator.segments(String(repeating: "é", count: 70)) == 1)
        #expect(TwilioValidator.segments(String(repeating: "é", count: 71)) == 2)
    }
}
