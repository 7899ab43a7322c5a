/// What became of one email handed to ``PostmarkClient``.
public struct PostmarkSendResult: Sendable, Hashable {
    /// What to do with the job: success, retry later, or fail (and maybe suppress the address).
    public var outcome: ProviderOutcome
    /// Postmark's `MessageID` when the message was accepted; Postmark's webhooks carry it.
    public var messageID: String?
    /// Postmark's `SubmittedAt` when the message was accepted, as sent (ISO 8601 with a UTC offset).
    public var submittedAt: String?
    /// Postmark's `ErrorCode` (0 when accepted), or `nil` when no readable answer came back
    /// (transport failure, or a body that is not Postmark's JSON).
    public var errorCode: Int?
    /// The HTTP status of the call that carried the message, or `nil` when no response came back.
    public var httpStatus: Int?

    /// Creates a result.
    public init(outcome: ProviderOutcome, messageID: String? = nil, submittedAt: String? = nil, errorCode: Int? = nil, httpStatus: Int? = nil) {
        self.outcome = outcome
        self.messageID = messageID
        self.submittedAt = submittedAt
        self.errorCode = errorCode
        self.httpStatus = httpStatus
    }
}
