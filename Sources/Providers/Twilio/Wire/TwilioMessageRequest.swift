import Mail
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
    /// Twilio's limit on `Body`, in characters (counted here in UTF-16 units, never fewer).
    public static let maximumBodyLength = 1600

    public init(to: PhoneNumber, from: String? = nil, messagingServiceSid: String? = nil, body: String, statusCallback: String? = nil) {
        self.to = to
        self.from = from
        self.messagingServiceSid = messagingServiceSid
        // Twilio refuses a body over 1,600 characters (21617); a template within the limit can
        // exceed it once rendered with long data.
        self.body = TextLimit.cut(body, toUTF16Length: Self.maximumBodyLength, ellipsis: "…")
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
