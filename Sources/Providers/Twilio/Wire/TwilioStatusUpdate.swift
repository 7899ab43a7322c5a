/// What Herald reads from Twilio's status callback (the form Twilio POSTs to a message's
/// `StatusCallback` URL): which message, its new status, and the error of a failed one.
///
/// Pure. The request is authenticated separately, by ``TwilioSignature`` over every parameter.
public struct TwilioStatusUpdate: Sendable, Hashable {
    /// `MessageSid` (older callbacks: `SmsSid`), at most 64 bytes.
    public var messageSID: String
    /// `MessageStatus` (older callbacks: `SmsStatus`), lower-cased: `a`–`z` and `_` only, at most 32 bytes.
    public var status: String
    /// `ErrorCode` followed by `ErrorMessage` when Twilio sent a code, at most 500 characters.
    public var error: String?

    /// Statuses after which no intermediate status may overwrite the stored one (Twilio does not
    /// promise to deliver callbacks in order).
    public static let finalStatuses = ["delivered", "undelivered", "failed", "read", "canceled"]

    /// The update a callback's parameters describe, or nil when `MessageSid`/`SmsSid` is missing,
    /// blank or too long, or the status is missing or not a plain status word.
    public init?(parameters: [(name: String, value: String)]) {
        func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        guard let sid = parameter("MessageSid") ?? parameter("SmsSid"), !sid.isEmpty, sid.utf8.count <= 64,
            let status = (parameter("MessageStatus") ?? parameter("SmsStatus"))?.lowercased(),
            status.utf8.count <= 32, !status.isEmpty, status.allSatisfy({ ($0 >= "a" && $0 <= "z") || $0 == "_" })
        else { return nil }
        self.messageSID = sid
        self.status = status
        if let code = parameter("ErrorCode"), !code.isEmpty {
            let text = [code, parameter("ErrorMessage")].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            self.error = String(text.prefix(500))
        }
    }

    /// An update with these values, taken as given (tests and tools).
    public init(messageSID: String, status: String, error: String? = nil) {
        self.messageSID = messageSID
        self.status = status
        self.error = error
    }

    /// True when `status` is one of ``finalStatuses``.
    public var isFinal: Bool { Self.finalStatuses.contains(status) }
}
