import Mail
/// Settings of a ``PostmarkClient``. Every property but the token has a documented default.
///
/// `description`, `debugDescription` and the reflection mirror show `serverToken` (and a password in
/// ``apiURL``) as `***`, so the configuration may be logged as a whole.
public struct PostmarkConfiguration: Sendable, Hashable {
    /// Postmark's production API, the default ``apiURL``.
    public static let defaultAPIURL = "https://api.postmarkapp.com"
    /// The server token used in sandbox mode (a real token never goes to a sandbox); equal to the
    /// default `SandboxProviders.Configuration.postmarkServerToken`.
    public static let sandboxServerToken = "sandbox-postmark-token"

    /// The Postmark server API token, sent as `X-Postmark-Server-Token`. A secret.
    public var serverToken: String
    /// The API base URL; the client appends `/email` and `/email/batch` (trailing slashes are
    /// ignored). Default ``defaultAPIURL``.
    public var apiURL: String
    /// The `MessageStream` that ``PostmarkClient/request(for:)`` puts on composed emails.
    /// Default `outbound`, Postmark's transactional stream.
    public var messageStream: String
    /// Total time allowed for one HTTP call, connecting included; a call that takes longer is a
    /// retryable timeout. Default 10 s.
    public var requestTimeout: Duration
    /// How many `/email/batch` calls one ``PostmarkClient/sendBatch(_:)`` keeps in flight at once.
    /// Default 4 (values below 1 count as 1).
    public var batchConcurrency: Int

    /// Creates a configuration; every argument but the token has the default documented on its property.
    public init(
        serverToken: String,
        apiURL: String = PostmarkConfiguration.defaultAPIURL,
        messageStream: String = "outbound",
        requestTimeout: Duration = .seconds(10),
        batchConcurrency: Int = 4
    ) {
        self.serverToken = serverToken
        self.apiURL = apiURL
        self.messageStream = messageStream
        self.requestTimeout = requestTimeout
        self.batchConcurrency = batchConcurrency
    }
}

extension PostmarkConfiguration: RedactedDescription {
    /// The settings with the token, and any password in ``apiURL``, shown as `***`.
    public var redactedMembers: KeyValuePairs<String, Any> {
        [
            "apiURL": Redaction.url(apiURL), "messageStream": messageStream, "serverToken": Redaction.mask,
            "requestTimeout": requestTimeout, "batchConcurrency": batchConcurrency,
        ]
    }
}
