public import Mail
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

    /// Reads the configuration from environment variables:
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `TWILIO_ACCOUNT_SID` | Account SID | required, except in sandbox mode |
    /// | `TWILIO_AUTH_TOKEN` | auth token | required, except in sandbox mode |
    /// | `TWILIO_FROM` | sending number (E.164) or alphanumeric sender ID | exactly one of these two is required, except in sandbox mode (``sandboxFrom``) |
    /// | `TWILIO_MESSAGING_SERVICE_SID` | Messaging Service SID | |
    /// | `TWILIO_API_URL` | API base URL | ``defaultAPIURL`` |
    /// | `HERALD_PUBLIC_URL` | Herald's public base URL; the status callback is it + ``statusCallbackPath`` | no status callback |
    ///
    /// In sandbox mode the credentials are always ``sandboxAccountSID`` and ``sandboxAuthToken``
    /// (the real ones are ignored, so they never go to a sandbox); the caller points ``apiURL`` at
    /// the running sandbox. Blank values count as unset.
    ///
    /// - Throws: ``DeliveryError`` with code `invalidConfiguration`, whose message names every
    ///   variable that is missing or invalid (never its value).
    public static func fromEnvironment(_ environment: [String: String], sandbox: Bool) throws(DeliveryError) -> TwilioConfiguration {
        var env = ProviderEnvironment(environment, reading: [
            "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID", "TWILIO_API_URL",
            "HERALD_PUBLIC_URL",
        ])
        let accountSID: String
        let authToken: String
        if sandbox {
            (accountSID, authToken) = (Self.sandboxAccountSID, Self.sandboxAuthToken)
        } else {
            accountSID = env.required(
                "TWILIO_ACCOUNT_SID", hint: "set it to your Twilio Account SID (AC followed by 32 hex digits), or run with --sandbox")
            authToken = env.required("TWILIO_AUTH_TOKEN", hint: "set it to your Twilio auth token, or run with --sandbox")
            if !accountSID.isEmpty, !Self.isValidAccountSID(accountSID) {
                env.fail("TWILIO_ACCOUNT_SID must contain only ASCII letters and digits (AC followed by 32 hex digits)")
            }
        }
        let sender = Self.sender(from: &env, sandbox: sandbox)
        let apiURL = env.url("TWILIO_API_URL", default: Self.defaultAPIURL) ?? Self.defaultAPIURL
        let callback = env.url("HERALD_PUBLIC_URL", default: nil).map { $0 + Self.statusCallbackPath }
        try env.check("Twilio is not configured")
        return TwilioConfiguration(
            accountSID: accountSID, authToken: authToken, sender: sender ?? .from(Self.sandboxFrom), apiURL: apiURL,
            statusCallbackURL: callback)
    }

    /// `true` for a non-empty string of ASCII letters and digits: safe as a URL path segment.
    static func isValidAccountSID(_ sid: String) -> Bool {
        !sid.isEmpty && sid.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
    }

    private static func sender(from env: inout ProviderEnvironment, sandbox: Bool) -> Sender? {
        switch (env.value("TWILIO_FROM"), env.value("TWILIO_MESSAGING_SERVICE_SID")) {
        case (let from?, nil):
            if from.hasPrefix("+") {
                guard let number = PhoneNumber.normalize(from) else {
                    env.fail("TWILIO_FROM must be an E.164 number such as +14155552671, or an alphanumeric sender ID")
                    return nil
                }
                return .from(number)
            }
            return .from(from)
        case (nil, let service?):
            return .messagingService(sid: service)
        case (_?, _?):
            env.fail("both TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID are set: set only one of them")
            return nil
        case (nil, nil):
            if sandbox { return .from(Self.sandboxFrom) }
            env.fail(
                "neither TWILIO_FROM nor TWILIO_MESSAGING_SERVICE_SID is set: set one of them (a sending number such as "
                    + "+14155552671, or a Messaging Service SID MG…), or run with --sandbox")
            return nil
        }
    }
}

extension TwilioConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The settings with the auth token, and any password in a URL, shown as `***`.
    public var description: String {
        "TwilioConfiguration(accountSID: \(accountSID), authToken: ***, sender: \(sender), apiURL: \(Redaction.url(apiURL)), "
            + "statusCallbackURL: \(statusCallbackURL.map(Redaction.url) ?? "none"), requestTimeout: \(requestTimeout))"
    }

    /// Same as ``description``: the auth token is redacted here too.
    public var debugDescription: String { description }

    /// A mirror without the auth token, so `dump(_:)` cannot print it either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accountSID": accountSID, "authToken": "***", "sender": sender, "apiURL": Redaction.url(apiURL),
                "statusCallbackURL": statusCallbackURL.map(Redaction.url) as Any, "requestTimeout": requestTimeout,
            ],
            displayStyle: .struct
        )
    }
}
