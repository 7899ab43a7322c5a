/// Postmark's answer to `POST /email`, and each element of the `POST /email/batch` answer.
///
/// `ErrorCode` 0 means accepted; anything else is an error described by `Message` (classify it
/// with ``ProviderErrorClassifier/classifyPostmark(_:)``). Error answers carry only `ErrorCode`
/// and `Message`, hence the optionals.
public struct PostmarkSendResponse: Sendable, Hashable, Codable {
    public var to: String?
    public var submittedAt: String?
    public var messageID: String?
    public var errorCode: Int
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
