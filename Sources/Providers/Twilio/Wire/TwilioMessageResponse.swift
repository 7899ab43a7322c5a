/// The parts of Twilio's Message resource Herald reads after creating a message.
public struct TwilioMessageResponse: Sendable, Hashable, Codable {
    /// The message SID (`SM…`); status callbacks refer to it.
    public var sid: String
    /// `queued`, `sending`, `sent`, `delivered`, `undelivered`, `failed`, …
    public var status: String
    /// Twilio's error code when the message failed, else `nil`.
    public var errorCode: Int?
    /// Twilio's error message when the message failed, else `nil`.
    public var errorMessage: String?

    /// Creates a response.
    public init(sid: String, status: String, errorCode: Int? = nil, errorMessage: String? = nil) {
        self.sid = sid
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    enum CodingKeys: String, CodingKey {
        case sid
        case status
        case errorCode = "error_code"
        case errorMessage = "error_message"
    }
}
