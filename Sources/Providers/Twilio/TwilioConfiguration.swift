import Mail
/// Settings of a ``TwilioClient``. Every property but the credentials and sender has a documented default.
///
/// `description`, `debugDescription` and the reflection mirror show `authToken` (and a password in a
/// URL) as `***`, so the configuration may be logged as a whole.
public struct TwilioConfiguration: Sendable, Hashable {
    /// Who a message is sent from: exactly one of a number (or alphanumeric sender ID) and a
    /// Messaging Service, as Twilio requires.
    public enum Sender: Sendable, Hashable, CustomStringConvertible {
        /// `From`: an E.164 number such as `+14155552671`, or an alphanumeric sender ID.
        case from(String)
        /// `MessagingServiceSid`: a Messaging Service (`MG…`) that picks the number itself.
        case messagingService(sid: String)

        /// `from +14155552671` or `messagingService MG…`.
        public var description: String {
            switch self {
            case .from(let number): "from \(number)"
            case .messagingService(let sid): "messagingService \(sid)"
            }
        }
    }

    /// Twilio's production API, the default ``apiURL``.
    public static let defaultAPIURL = "https://api.twilio.com"
    /// The Account SID used in sandbox mode; equal to `SandboxProviders.Configuration.defaultTwilioAccountSID`.
    public static let sandboxAccountSID = "ACf00dfeedf00dfeedf00dfeedf00dfeed"
    /// The auth token used in sandbox mode; equal to the default `SandboxProviders.Configuration.twilioAuthToken`.
    public static let sandboxAuthToken = "sandbox-twilio-token"
    /// The sender used in sandbox mode when neither `TWILIO_FROM` nor `TWILIO_MESSAGING_SERVICE_SID`
    /// is set (Twilio's test number that always succeeds).
    public static let sandboxFrom = "+15005550006"
    /// The path of Herald's status-callback route, appended to `HERALD_PUBLIC_URL`.
    public static let statusCallbackPath = "/webhooks/twilio/status"

    /// The Account SID (`AC…`): the basic-auth user and part of the request path. Letters and digits only.
    public var accountSID: String
    /// The auth token: the basic-auth password. A secret.
    public var authToken: String
    /// The sender of every message.
    public var sender: Sender
    /// The API base URL; the client appends `/2010-04-01/Accounts/{AccountSid}/Messages.json`
    /// (trailing slashes are ignored). Default ``defaultAPIURL``.
    public var apiURL: String
    /// Sent as `StatusCallback` with every message when set: where Twilio posts delivery status
    /// changes (`herald serve`'s `/webhooks/twilio/status`). Default `nil` (none).
    public var statusCallbackURL: String?
    /// Total time allowed for one HTTP call, connecting included; a call that takes longer is a
    /// retryable timeout. Default 10 s.
    public var requestTimeout: Duration

    /// Creates a configuration; every argument after `sender` has the default documented on its property.
    public init(
        accountSID: String,
        authToken: String,
        sender: Sender,
        apiURL: String = TwilioConfiguration.defaultAPIURL,
        statusCallbackURL: String? = nil,
        requestTimeout: Duration = .seconds(10)
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.sender = sender
        self.apiURL = apiURL
        self.statusCallbackURL = statusCallbackURL
        self.requestTimeout = requestTimeout
    }

    /// The `From` value, when the sender is a number.
    public var from: String? {
        if case .from(let number) = sender { return number }
        return nil
    }

    /// The `MessagingServiceSid` value, when the sender is a Messaging Service.
    public var messagingServiceSID: String? {
        if case .messagingService(let sid) = sender { return sid }
        return nil
    }

    /// `true` for a non-empty string of ASCII letters and digits: safe as a URL path segment.
    public static func isValidAccountSID(_ sid: String) -> Bool {
        !sid.isEmpty && sid.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
    }
}

extension TwilioConfiguration: RedactedDescription {
    /// The settings with the auth token, and any password in a URL, shown as `***`.
    public var redactedMembers: KeyValuePairs<String, Any> {
        [
            "accountSID": accountSID, "authToken": Redaction.mask, "sender": sender, "apiURL": Redaction.url(apiURL),
            "statusCallbackURL": statusCallbackURL.map(Redaction.url) ?? "none", "requestTimeout": requestTimeout,
        ]
    }
}
