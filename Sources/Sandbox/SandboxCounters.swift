/// A snapshot of the sandbox's counters (see ``SandboxProviders/counters()``).
public struct SandboxCounters: Sendable, Hashable {
    /// Requests received on `POST /email`, whatever their outcome.
    public var emailRequests: Int
    /// Requests received on `POST /email/batch`, whatever their outcome.
    public var batchRequests: Int
    /// Requests received on the Twilio Messages endpoint, whatever their outcome.
    public var smsRequests: Int
    /// Emails accepted (single sends plus accepted batch elements).
    public var emailsAccepted: Int
    /// SMS accepted.
    public var smsAccepted: Int

    /// Creates a snapshot; all counters default to zero.
    public init(emailRequests: Int = 0, batchRequests: Int = 0, smsRequests: Int = 0, emailsAccepted: Int = 0, smsAccepted: Int = 0) {
        self.emailRequests = emailRequests
        self.batchRequests = batchRequests
        self.smsRequests = smsRequests
        self.emailsAccepted = emailsAccepted
        self.smsAccepted = smsAccepted
    }

    /// Requests received on one endpoint.
    public func requests(_ endpoint: SandboxEndpoint) -> Int {
        switch endpoint {
        case .email: emailRequests
        case .batch: batchRequests
        case .sms: smsRequests
        }
    }
}
