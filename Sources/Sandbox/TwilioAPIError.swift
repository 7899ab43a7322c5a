/// A Twilio REST error body: `{"code": …, "message": …, "more_info": …, "status": …}`.
struct TwilioAPIError: Error, Sendable, Equatable, Encodable {
    var code: Int
    var message: String
    var status: Int

    var moreInfo: String { "https://www.twilio.com/docs/errors/\(code)" }

    enum CodingKeys: String, CodingKey {
        case code, message, status
        case moreInfo = "more_info"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(moreInfo, forKey: .moreInfo)
        try container.encode(status, forKey: .status)
    }

    static let authenticate = TwilioAPIError(code: 20003, message: "Authenticate", status: 401)

    static func notFound(_ path: String) -> Self {
        .init(code: 20404, message: "The requested resource \(path) was not found", status: 404)
    }

    static func invalidTo(_ to: String) -> Self {
        .init(code: 21211, message: "The 'To' number \(to) is not a valid phone number.", status: 400)
    }

    static func invalidFrom(_ from: String) -> Self {
        .init(
            code: 21212,
            message: "The 'From' number \(from) is not a valid phone number, shortcode, or alphanumeric sender ID.",
            status: 400)
    }

    static let missingTo = TwilioAPIError(code: 21604, message: "A 'To' phone number is required.", status: 400)
    static let missingFrom = TwilioAPIError(code: 21603, message: "A 'From' phone number is required.", status: 400)
    static let missingBody = TwilioAPIError(code: 21602, message: "Message body is required.", status: 400)
    static let bodyTooLong = TwilioAPIError(
        code: 21617, message: "The concatenated message body exceeds the 1600 character limit.", status: 400)
    static func invalidStatusCallback(_ url: String) -> Self {
        .init(code: 21609, message: "The StatusCallback URL \(url) is not a valid URL.", status: 400)
    }

    static func invalidMessagingService(_ sid: String) -> Self {
        .init(code: 21701, message: "The Messaging Service Sid \(sid) is invalid.", status: 400)
    }

    /// A create request that is not `application/x-www-form-urlencoded` (the sandbox's code:
    /// Twilio documents the encoding, not the error; 20001 is its generic invalid-parameter code).
    static let formRequired = TwilioAPIError(
        code: 20001, message: "The request must be application/x-www-form-urlencoded.", status: 400)

    static let unsubscribed = TwilioAPIError(
        code: 21610, message: "Attempt to send to unsubscribed recipient", status: 400)

    /// The body for an injected failure with this HTTP status.
    static func injected(status: Int) -> Self {
        switch status {
        case 401: return .authenticate
        case 429: return .init(code: 20429, message: "Too Many Requests", status: 429)
        default: return .init(code: 20000 + status, message: "Sandbox-injected HTTP \(status)", status: status)
        }
    }
}
