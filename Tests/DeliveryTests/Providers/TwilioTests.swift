import Crypto
import Foundation
import Providers
import Testing

@Suite("Twilio wire types and signatures")
struct TwilioTests {
    @Test("Message requests are form-encoded with RFC 3986 escaping; + is %2B, space %20")
    func formEncoding() throws {
        let request = TwilioMessageRequest(
            to: try #require(PhoneNumber("+1 415 555 2671")),
            from: "+15017122661",
            body: "Urgent: Tom & Jerry = 100% ready? ✓ a+b\nline 2",
            statusCallback: "https://herald.example.com/webhooks/twilio/status?x=1"
        )
        #expect(
            request.formEncoded()
                == "To=%2B14155552671&From=%2B15017122661&Body=Urgent%3A%20Tom%20%26%20Jerry%20%3D%20100%25%20ready%3F%20%E2%9C%93%20a%2Bb%0Aline%202"
                + "&StatusCallback=https%3A%2F%2Fherald.example.com%2Fwebhooks%2Ftwilio%2Fstatus%3Fx%3D1"
        )
    }

    @Test("A messaging service replaces From; the encoding round-trips through the decoder")
    func messagingService() throws {
        let request = TwilioMessageRequest(to: try #require(PhoneNumber("+447700900123")), messagingServiceSid: "MG123", body: "Hi there ~ -._")
        #expect(request.formEncoded() == "To=%2B447700900123&MessagingServiceSid=MG123&Body=Hi%20there%20~%20-._")
        let decoded = try #require(FormURLEncoding.decode(request.formEncoded()))
        #expect(decoded.map(\.name) == ["To", "MessagingServiceSid", "Body"])
        #expect(decoded.map(\.value) == ["+447700900123", "MG123", "Hi there ~ -._"])
    }

    @Test("Form decoding treats + as space (Twilio webhooks) and rejects bad escapes")
    func formDecoding() throws {
        let pairs = try #require(FormURLEncoding.decode("MessageStatus=delivered&From=%2B15017122661&Body=hello+world&Empty=&Flag"))
        #expect(pairs.map(\.name) == ["MessageStatus", "From", "Body", "Empty", "Flag"])
        #expect(pairs.map(\.value) == ["delivered", "+15017122661", "hello world", "", ""])
        #expect(FormURLEncoding.decode("a=%ZZ") == nil)
        #expect(FormURLEncoding.decode("a=%4") == nil)
        #expect(FormURLEncoding.decode("a=%FF") == nil)  // not UTF-8
        #expect(FormURLEncoding.decode("")?.isEmpty == true)
    }

    @Test("Responses decode from Twilio's JSON")
    func responses() throws {
        let message = try JSONDecoder().decode(
            TwilioMessageResponse.self,
            from: Data(#"{"sid":"SM1234567890abcdef1234567890abcdef","status":"queued","error_code":null,"error_message":null,"to":"+14155552671","body":"Hi"}"#.utf8)
        )
        #expect(message == TwilioMessageResponse(sid: "SM1234567890abcdef1234567890abcdef", status: "queued"))
        let failed = try JSONDecoder().decode(TwilioMessageResponse.self, from: Data(#"{"sid":"SM1","status":"failed","error_code":30003,"error_message":"Unreachable destination handset"}"#.utf8))
        #expect(failed.errorCode == 30003)
        #expect(failed.errorMessage == "Unreachable destination handset")

        let error = try JSONDecoder().decode(
            TwilioErrorResponse.self,
            from: Data(#"{"code":21211,"message":"The 'To' number +1555 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#.utf8)
        )
        #expect(error.code == 21211)
        #expect(error.moreInfo == "https://www.twilio.com/docs/errors/21211")
        #expect(error.status == 400)
        #expect(ProviderErrorClassifier.classifyTwilio(httpStatus: error.status, errorCode: error.code, message: error.message).suppressesAddress)
        let roundTrip = try JSONDecoder().decode(TwilioErrorResponse.self, from: JSONEncoder().encode(error))
        #expect(roundTrip == error)
    }

    // MARK: Signatures

    static let documentedURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

    static func documentedParams(caller: String) -> [String: String] {
        ["CallSid": "CA1234567890ABCDE", "Caller": caller, "Digits": "1234", "From": caller, "To": "+18005551212"]
    }

    @Test("Twilio's documented examples (auth token 12345)", arguments: [
        ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ])
    func documentedExamples(caller: String, signature: String) {
        let params = Self.documentedParams(caller: caller)
        #expect(TwilioSignature.compute(url: Self.documentedURL, params: params, authToken: "12345") == signature)
        #expect(TwilioSignature.verify(signature: signature, url: Self.documentedURL, params: params, authToken: "12345"))
    }

    @Test("The signature equals an independently computed HMAC-SHA1 over URL + sorted name/value pairs")
    func independentHMAC() {
        let params = ["MessageStatus": "delivered", "AccountSid": "AC1", "MessageSid": "SM1", "ErrorCode": "", "To": "+14155552671"]
        let url = "https://herald.example.com/webhooks/twilio/status"
        let data = url + "AccountSid" + "AC1" + "ErrorCode" + "" + "MessageSid" + "SM1" + "MessageStatus" + "delivered" + "To" + "+14155552671"
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(data.utf8), using: SymmetricKey(data: Array("secret-token".utf8)))
        let expected = Data(mac).base64EncodedString()
        #expect(TwilioSignature.compute(url: url, params: params, authToken: "secret-token") == expected)
    }

    @Test("Changed parameters, URL, token or signature fail verification")
    func verificationFailures() {
        let params = Self.documentedParams(caller: "+14158675310")
        let good = "GvWf1cFY/Q7PnoempGyD5oXAezc="
        var changed = params
        changed["Digits"] = "1235"
        #expect(!TwilioSignature.verify(signature: good, url: Self.documentedURL, params: changed, authToken: "12345"))
        var extra = params
        extra["Injected"] = "1"
        #expect(!TwilioSignature.verify(signature: good, url: Self.documentedURL, params: extra, authToken: "12345"))
        #expect(!TwilioSignature.verify(signature: good, url: Self.documentedURL + "&baz=3", params: params, authToken: "12345"))
        #expect(!TwilioSignature.verify(signature: good, url: Self.documentedURL, params: params, authToken: "12346"))
        #expect(!TwilioSignature.verify(signature: "GvWf1cFY/Q7PnoempGyD5oXAezd=", url: Self.documentedURL, params: params, authToken: "12345"))
        #expect(!TwilioSignature.verify(signature: "", url: Self.documentedURL, params: params, authToken: "12345"))
    }

    @Test("Repeated parameter names are sorted by value too")
    func repeatedNames() {
        let ordered = TwilioSignature.compute(url: "https://a.example/", params: [("B", "2"), ("A", "x"), ("B", "1")], authToken: "t")
        let shuffled = TwilioSignature.compute(url: "https://a.example/", params: [("B", "1"), ("B", "2"), ("A", "x")], authToken: "t")
        #expect(ordered == shuffled)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array("https://a.example/AxB1B2".utf8), using: SymmetricKey(data: Array("t".utf8)))
        #expect(ordered == Data(mac).base64EncodedString())
    }
}
