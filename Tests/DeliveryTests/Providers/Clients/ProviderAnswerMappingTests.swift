import Curl
import Mail
import Providers
import Testing

/// The pure mapping from provider answers (status + body) to results, without network.
@Suite("Provider answer mapping")
struct ProviderAnswerMappingTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("Postmark /email: an accepted answer keeps MessageID and SubmittedAt")
    func postmarkAccepted() {
        let result = PostmarkClient.result(
            httpStatus: 200,
            body: bytes(#"{"To":"a@b.example","SubmittedAt":"2026-01-02T03:04:05.1234567-05:00","MessageID":"0a1b","ErrorCode":0,"Message":"OK"}"#))
        #expect(result == PostmarkSendResult(outcome: .success, messageID: "0a1b", submittedAt: "2026-01-02T03:04:05.1234567-05:00", errorCode: 0, httpStatus: 200))
    }

    @Test("Postmark /email: a 200 that is not Postmark's JSON is retryable with an alert, never a crash")
    func postmarkUnreadable() {
        for body in ["<html>maintenance</html>", "", "[]", #"{"Message":"OK"}"#, #"{"ErrorCode":"zero"}"#] {
            let result = PostmarkClient.result(httpStatus: 200, body: bytes(body))
            #expect(result.outcome.isRetryable, "body: \(body)")
            #expect(result.outcome.alertsOperator, "body: \(body)")
            #expect(result.errorCode == nil)
            #expect(result.messageID == nil)
        }
    }

    @Test("Postmark /email: an error status without Postmark's JSON is classified by status alone")
    func postmarkErrorWithoutJSON() {
        let gateway = PostmarkClient.result(httpStatus: 502, body: bytes("<html>Bad Gateway</html>"))
        #expect(gateway.outcome.isRetryable)
        #expect(gateway.errorCode == nil)
        let notFound = PostmarkClient.result(httpStatus: 404, body: [])
        #expect(notFound.outcome.isPermanent)
    }

    @Test("Postmark /email: ErrorCode decides with the status (406 suppresses, 10 alerts)")
    func postmarkErrorCodes() {
        let inactive = PostmarkClient.result(httpStatus: 422, body: bytes(#"{"ErrorCode":406,"Message":"inactive"}"#))
        #expect(inactive.outcome.suppressesAddress)
        #expect(inactive.errorCode == 406)
        let token = PostmarkClient.result(httpStatus: 401, body: bytes(#"{"ErrorCode":10,"Message":"bad token"}"#))
        #expect(token.outcome.alertsOperator)
        // An error body without Message still yields its code.
        let bare = PostmarkClient.result(httpStatus: 422, body: bytes(#"{"ErrorCode":300}"#))
        #expect(bare.errorCode == 300)
        #expect(bare.outcome.isPermanent)
    }

    @Test("Postmark batch: elements are classified one by one")
    func postmarkBatchElements() throws {
        let body = #"[{"To":"a@x.example","MessageID":"m1","SubmittedAt":"t","ErrorCode":0,"Message":"OK"},"#
            + #"{"ErrorCode":406,"Message":"inactive"},{"ErrorCode":300,"Message":"bad"},{"Message":"no code"},null]"#
        let results = PostmarkClient.batchResults(httpStatus: 200, body: bytes(body), count: 5)
        try #require(results.count == 5)
        #expect(results[0].outcome == .success)
        #expect(results[0].messageID == "m1")
        #expect(results[1].outcome.suppressesAddress)
        #expect(results[2].outcome.isPermanent && !results[2].outcome.suppressesAddress)
        #expect(results[3].outcome.isRetryable && results[3].outcome.alertsOperator)
        #expect(results[4].outcome.isRetryable && results[4].outcome.alertsOperator)
    }

    @Test("Postmark batch: a wrong-length or non-array 200 fails every message as unreadable")
    func postmarkBatchShape() throws {
        let short = PostmarkClient.batchResults(httpStatus: 200, body: bytes(#"[{"ErrorCode":0,"Message":"OK"}]"#), count: 3)
        try #require(short.count == 3)
        #expect(short.allSatisfy { $0.outcome.isRetryable && $0.outcome.alertsOperator })
        #expect(short[0].outcome.reason?.contains("1 results for a batch of 3") == true)
        let object = PostmarkClient.batchResults(httpStatus: 200, body: bytes(#"{"ErrorCode":0}"#), count: 2)
        #expect(object.count == 2 && object.allSatisfy { $0.outcome.isRetryable })
    }

    @Test("Postmark batch: a whole-call error applies to every message")
    func postmarkBatchWholeCall() {
        let results = PostmarkClient.batchResults(httpStatus: 500, body: bytes(#"{"ErrorCode":500,"Message":"boom"}"#), count: 4)
        #expect(results.count == 4)
        #expect(results.allSatisfy { $0.outcome.isRetryable && $0.errorCode == 500 && $0.httpStatus == 500 })
    }

    @Test("Twilio: a created message keeps SID and status")
    func twilioCreated() {
        let result = TwilioClient.result(
            httpStatus: 201, body: bytes(#"{"sid":"SM1","status":"queued","error_code":null,"error_message":null,"to":"+1415"}"#))
        #expect(result == TwilioSendResult(outcome: .success, sid: "SM1", status: "queued", errorCode: nil, httpStatus: 201))
    }

    @Test("Twilio: error JSON is parsed for code; a body without it is classified by status")
    func twilioErrors() {
        let invalid = TwilioClient.result(httpStatus: 400, body: bytes(#"{"code":21211,"message":"bad To","status":400}"#))
        #expect(invalid.errorCode == 21211)
        #expect(invalid.outcome.isPermanent && invalid.outcome.suppressesAddress)
        let partial = TwilioClient.result(httpStatus: 400, body: bytes(#"{"code":21610}"#))
        #expect(partial.errorCode == 21610 && partial.outcome.suppressesAddress)
        let unavailable = TwilioClient.result(httpStatus: 503, body: bytes("<html/>"))
        #expect(unavailable.outcome.isRetryable && unavailable.errorCode == nil)
    }

    @Test("Twilio: a 2xx that is not a Message resource is retryable with an alert")
    func twilioUnreadable() {
        for body in ["", "OK", #"{"status":"queued"}"#] {
            let result = TwilioClient.result(httpStatus: 201, body: bytes(body))
            #expect(result.outcome.isRetryable && result.outcome.alertsOperator, "body: \(body)")
            #expect(result.sid == nil)
        }
    }

    @Test("Curl errors map onto transport failures")
    func transportFailures() {
        #expect(TransportFailure(CurlError(code: .timedOut, message: "x")) == .timeout)
        for code in [CurlError.Code.couldntConnect, .couldntResolveHost, .tls, .send, .receive] {
            #expect(TransportFailure(CurlError(code: code, message: "x")) == .connectionFailed)
        }
        #expect(TransportFailure(CurlError(code: .cancelled, message: "cancelled")) == .other("curl error cancelled: cancelled"))
    }
}
