/// The JSON body of a Twilio API error, e.g. `{"code": 21211, "message": "…",
/// "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`.
public struct TwilioErrorResponse: Sendable, Hashable, Codable {
    /// Twilio's error code; classify it with ``ProviderErrorClassifier/classifyTwilio(httpStatus:errorCode:message:)``.
    public var code: Int
    /// The human-readable message.
    public var message: String
    /// A documentation link, if given.
    public var moreInfo: String?
    /// The HTTP status, repeated in the body.
    public var status: Int

    enum CodingKeys: String, CodingKey {
        case code
        case message
        case moreInfo = "more_info"
        case status
    }
}
