import Foundation

extension TwilioClient {
    /// Maps Twilio's answer to a Messages create onto a result. Pure: exposed for tests and for
    /// callers with their own transport.
    ///
    /// A 2xx answer must be a Message resource (`sid`, `status`), else it is unreadable (retryable,
    /// operator alert). Any other status is classified by status and the error body's `code`
    /// (absent when the body is not Twilio's error JSON, e.g. a proxy's HTML page).
    public static func result(httpStatus: Int, body: [UInt8]) -> TwilioSendResult {
        if (200...299).contains(httpStatus) {
            guard let message = try? JSONDecoder().decode(TwilioMessageResponse.self, from: Data(body)) else {
                return TwilioSendResult(
                    outcome: ProviderErrorClassifier.classifyUnreadableAnswer(
                        provider: "Twilio", httpStatus: httpStatus, problem: "a body that is not a Twilio Message resource"),
                    httpStatus: httpStatus)
            }
            let outcome = ProviderErrorClassifier.classifyTwilio(
                httpStatus: httpStatus, errorCode: message.errorCode, message: message.errorMessage)
            return TwilioSendResult(
                outcome: outcome, sid: message.sid, status: message.status, errorCode: message.errorCode, httpStatus: httpStatus)
        }
        let error = try? JSONDecoder().decode(TwilioErrorAnswer.self, from: Data(body))
        let outcome = ProviderErrorClassifier.classifyTwilio(httpStatus: httpStatus, errorCode: error?.code, message: error?.message)
        return TwilioSendResult(outcome: outcome, errorCode: error?.code, httpStatus: httpStatus)
    }
}

/// Twilio's error body decoded leniently (``TwilioErrorResponse`` needs every field): a field that
/// is absent or of the wrong type counts as absent, so the `code` is kept whenever it is there.
struct TwilioErrorAnswer: Decodable, Sendable {
    var code: Int?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case code
        case message
    }

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else { return }
        code = try? container.decodeIfPresent(Int.self, forKey: .code)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }
}
