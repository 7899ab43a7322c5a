/// The form body of Twilio's `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
public struct TwilioMessageRequest: Sendable, Hashable {
    /// The recipient, E.164.
    public var to: PhoneNumber
    /// The sending number (E.164), when no messaging service is used.
    public var from: String?
    /// The messaging service SID (`MG…`), used instead of `from` when set.
    public var messagingServiceSid: String?
    /// The text.
    public var body: String
    /// The URL Twilio posts delivery status changes to (`herald serve` /webhooks/twilio/status).
    public var statusCallback: String?

    /// Creates a request. Twilio needs `from` or `messagingServiceSid`.
    public init(to: PhoneNumber, from: String? = nil, messagingServiceSid: String? = nil, body: String, statusCallback: String? = nil) {
        self.to = to
        self.from = from
        self.messagingServiceSid = messagingServiceSid
        self.body = body
        self.statusCallback = statusCallback
    }

    /// The fields in a fixed order: `To`, `From`, `MessagingServiceSid`, `Body`, `StatusCallback`
    /// (absent ones left out).
    public var fields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("To", self.to.e164)]
        if let from { fields.append(("From", from)) }
        if let messagingServiceSid { fields.append(("MessagingServiceSid", messagingServiceSid)) }
        fields.append(("Body", self.body))
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }
        return fields
    }

    /// The `application/x-www-form-urlencoded` body (see ``FormURLEncoding``).
    public func formEncoded() -> String {
        FormURLEncoding.encode(self.fields)
    }
}
