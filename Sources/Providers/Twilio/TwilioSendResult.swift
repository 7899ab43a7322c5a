/// What became of one SMS handed to ``TwilioClient``.
public struct TwilioSendResult: Sendable, Hashable {
    /// What to do with the job: success, retry later, or fail (and maybe suppress the number).
    public var outcome: ProviderOutcome
    /// The Message SID (`SM…`) when Twilio created the message; status callbacks refer to it.
    public var sid: String?
    /// Twilio's message status when created (`queued`, `accepted` …).
    public var status: String?
    /// Twilio's error `code` (e.g. 21211), or the message's `error_code` on success; `nil` when there is none.
    public var errorCode: Int?
    /// The HTTP status, or `nil` when no response came back.
    public var httpStatus: Int?

    /// Creates a result.
    public init(outcome: ProviderOutcome, sid: String? = nil, status: String? = nil, errorCode: Int? = nil, httpStatus: Int? = nil) {
        self.outcome = outcome
        self.sid = sid
        self.status = status
        self.errorCode = errorCode
        self.httpStatus = httpStatus
    }
}
