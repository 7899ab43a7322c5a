import Mail
/// Postmark's answer to `POST /email`, and each element of the `POST /email/batch` answer.
///
/// `ErrorCode` 0 means accepted; anything else is an error described by `Message` (classify it
/// with ``ProviderErrorClassifier/classifyPostmark(_:)``). Error answers carry only `ErrorCode`
/// and `Message`, hence the optionals.
public struct PostmarkSendResponse: Sendable, Hashable, Codable {
    /// `To`: the recipient, on success.
    public var to: String?
    /// `SubmittedAt`: Postmark's timestamp (ISO 8601 with a UTC offset), on success.
    public var submittedAt: String?
    /// `MessageID`: Postmark's id of the message, which its webhooks carry as `MessageID`.
    public var messageID: String?
    /// `ErrorCode`: 0 on success.
    public var errorCode: Int
    /// `Message`: `OK`, or the error description.
    public var message: String

    /// Creates a response.
    public init(to: String? = nil, submittedAt: String? = nil, messageID: String? = nil, errorCode: Int, message: String) {
        self.to = to
        self.submittedAt = submittedAt
        self.messageID = messageID
        self.errorCode = errorCode
        self.message = message
    }

    /// `true` when Postmark accepted the message.
    public var isSuccess: Bool { self.errorCode == 0 }

    enum CodingKeys: String, CodingKey {
        case to = "To"
        case submittedAt = "SubmittedAt"
        case messageID = "MessageID"
        case errorCode = "ErrorCode"
        case message = "Message"
    }
}
