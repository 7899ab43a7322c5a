/// Twilio's status callback for a message: the form fields it POSTs to the message's `StatusCallback` URL.
public struct TwilioStatusCallback: Sendable, Hashable {
    /// `MessageSid` (also sent as `SmsSid`).
    public var messageSID: String
    /// `MessageStatus` (also sent as `SmsStatus`).
    public var status: TwilioMessageStatus
    /// `To`.
    public var to: String
    /// `From`.
    public var from: String
    /// `AccountSid`.
    public var accountSID: String
    /// `ErrorCode`, sent for `failed` and `undelivered` (e.g. 30003 unreachable, 30005 unknown destination).
    public var errorCode: Int?
    /// `MessagingServiceSid`, when the message was sent through one.
    public var messagingServiceSID: String?
    /// `ApiVersion`.
    public var apiVersion: String

    /// Creates a callback.
    public init(
        messageSID: String, status: TwilioMessageStatus, to: String, from: String, accountSID: String,
        errorCode: Int? = nil, messagingServiceSID: String? = nil, apiVersion: String = "2010-04-01"
    ) {
        self.messageSID = messageSID
        self.status = status
        self.to = to
        self.from = from
        self.accountSID = accountSID
        self.errorCode = errorCode
        self.messagingServiceSID = messagingServiceSID
        self.apiVersion = apiVersion
    }

    /// The callback for an SMS the sandbox accepted. `errorCode` defaults to 30003 for `failed` and
    /// `undelivered`, and is absent otherwise.
    public init(sms: SandboxSMS, status: TwilioMessageStatus, errorCode: Int? = nil) {
        let failed = status == .failed || status == .undelivered
        self.init(
            messageSID: sms.sid, status: status, to: sms.to, from: sms.from ?? "", accountSID: sms.accountSID,
            errorCode: errorCode ?? (failed ? 30003 : nil), messagingServiceSID: sms.messagingServiceSID)
    }

    /// The POST parameters, by name.
    public var parameters: [String: String] {
        var parameters = [
            "MessageSid": messageSID, "SmsSid": messageSID, "MessageStatus": status.rawValue,
            "SmsStatus": status.rawValue, "To": to, "From": from, "AccountSid": accountSID, "ApiVersion": apiVersion,
        ]
        if let errorCode { parameters["ErrorCode"] = String(errorCode) }
        if let messagingServiceSID { parameters["MessagingServiceSid"] = messagingServiceSID }
        return parameters
    }

    /// The `application/x-www-form-urlencoded` body (parameters sorted by name).
    public func formBody() -> [UInt8] {
        let sorted = parameters.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return Array(FormURLEncoding.encode(sorted).utf8)
    }

    /// The `X-Twilio-Signature` for posting this callback to `url`.
    public func signature(url: String, authToken: String) -> String {
        TwilioSignature.compute(authToken: authToken, url: url, parameters: parameters)
    }
}
