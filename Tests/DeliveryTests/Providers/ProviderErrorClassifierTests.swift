import Providers
import Testing

@Suite("ProviderErrorClassifier")
struct ProviderErrorClassifierTests {
    enum Expected: Sendable, Equatable {
        case success, retryable, retryableWithAlert, permanent, permanentSuppress
    }

    static func kind(_ outcome: ProviderOutcome) -> Expected {
        switch outcome {
        case .success: .success
        case .retryable(_, let alert): alert ? .retryableWithAlert : .retryable
        case .permanent(_, let suppress): suppress ? .permanentSuppress : .permanent
        }
    }

    @Test("Postmark outcomes", arguments: [
        (200, nil, Expected.success),
        (200, 0, .success),
        (429, nil, .retryable),
        (429, 429, .retryable),
        (500, nil, .retryable),
        (503, nil, .retryable),
        (503, 100, .retryable),
        (408, nil, .retryable),
        (401, nil, .retryableWithAlert),
        (401, 10, .retryableWithAlert),
        (422, 10, .retryableWithAlert),
        (422, 400, .retryableWithAlert),
        (422, 401, .retryableWithAlert),
        (422, 405, .retryableWithAlert),
        (422, 412, .retryableWithAlert),
        (422, 413, .retryableWithAlert),
        (422, 300, .permanent),
        (422, 402, .permanent),
        (422, 409, .permanent),
        (422, 410, .permanent),
        (422, 411, .permanent),
        (422, 406, .permanentSuppress),
        (200, 406, .permanentSuppress),  // a batch element
        (200, 300, .permanent),
        (404, nil, .permanent),
        (500, 999, .retryable),
        (302, nil, .retryableWithAlert),
    ] as [(Int, Int?, Expected)])
    func postmark(status: Int, errorCode: Int?, expected: Expected) {
        let outcome = ProviderErrorClassifier.classifyPostmark(httpStatus: status, errorCode: errorCode, message: "detail")
        #expect(Self.kind(outcome) == expected)
        if outcome != .success {
            #expect(outcome.reason?.contains("Postmark") == true)
            #expect(outcome.reason?.contains("detail") == true)
        }
    }

    @Test("Twilio outcomes", arguments: [
        (201, nil, Expected.success),
        (200, nil, .success),
        (429, nil, .retryable),
        (429, 20429, .retryable),
        (400, 20429, .retryable),
        (500, nil, .retryable),
        (503, 20500, .retryable),
        (401, 20003, .retryableWithAlert),
        (401, nil, .retryableWithAlert),
        (400, 21606, .retryableWithAlert),
        (400, 21211, .permanentSuppress),
        (400, 21610, .permanentSuppress),
        (400, 21614, .permanentSuppress),
        (400, 21408, .permanent),
        (400, 21612, .permanent),
        (400, 21617, .permanent),
        (404, 20404, .permanent),
    ] as [(Int, Int?, Expected)])
    func twilio(status: Int, errorCode: Int?, expected: Expected) {
        let outcome = ProviderErrorClassifier.classifyTwilio(httpStatus: status, errorCode: errorCode, message: "detail")
        #expect(Self.kind(outcome) == expected)
        if let errorCode, outcome != .success {
            #expect(outcome.reason?.contains(String(errorCode)) == true)
        }
    }

    @Test("Timeouts and connection failures are retryable for both providers", arguments: [
        TransportFailure.timeout, .connectionFailed, .other("TLS handshake failed\r\nInjected: x"),
    ])
    func transport(failure: TransportFailure) {
        for outcome in [ProviderErrorClassifier.classifyPostmark(transport: failure), ProviderErrorClassifier.classifyTwilio(transport: failure)] {
            #expect(outcome.isRetryable)
            #expect(!outcome.alertsOperator)
            #expect(outcome.reason.map { !$0.contains("\r") && !$0.contains("\n") } == true)
        }
    }

    @Test("Outcome helpers")
    func helpers() {
        let permanent = ProviderOutcome.permanent(reason: "x", suppressAddress: true)
        #expect(permanent.isPermanent && permanent.suppressesAddress && !permanent.isRetryable && !permanent.alertsOperator)
        let retry = ProviderOutcome.retryable(reason: "y", alertOperator: true)
        #expect(retry.isRetryable && retry.alertsOperator && !retry.suppressesAddress)
        #expect(ProviderOutcome.success.reason == nil)
        #expect(retry.reason == "y")
    }
}
