public import Curl
public import Logging

/// Sends SMS through Twilio's `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded,
/// HTTP basic auth with the Account SID and auth token), and turns every answer into a
/// ``TwilioSendResult`` whose outcome ``ProviderErrorClassifier`` decided.
///
/// `sendSMS` never throws and never crashes on what the network returns. The auth token travels
/// only in the `Authorization` header: it is in no log line and no outcome reason. The client is a
/// cheap value over a shared ``CurlClient``; copy it freely.
public struct TwilioClient: Sendable {
    /// The settings this client sends with.
    public let configuration: TwilioConfiguration
    private let httpClient: CurlClient
    private let logger: Logger

    /// Creates a client that sends over `httpClient` (shared, so connections are reused across clients).
    /// Logs one debug line per HTTP call, with the status, SID and outcome in metadata (never the
    /// recipient's number or the text).
    public init(configuration: TwilioConfiguration, httpClient: CurlClient, logger: Logger = Logger(label: "herald.twilio")) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// The Messages endpoint for the configured account.
    public var messagesURL: String {
        ProviderExchange.url(
            configuration.apiURL, "/2010-04-01/Accounts/\(FormURLEncoding.percentEncode(configuration.accountSID))/Messages.json")
    }

    /// Sends `body` to `to` from the configured sender, with the configured `StatusCallback` (one
    /// HTTP call, bounded by the configured request timeout).
    public func sendSMS(to: PhoneNumber, body: String) async -> TwilioSendResult {
        let form = TwilioMessageRequest(
            to: to,
            from: configuration.from,
            messagingServiceSid: configuration.messagingServiceSID,
            body: body,
            statusCallback: configuration.statusCallbackURL
        ).formEncoded()
        let request = Curl.HTTPRequest(
            method: .POST,
            url: messagesURL,
            headers: [
                HTTPHeader("Accept", "application/json"),
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: Array(form.utf8),
            basicAuth: BasicAuth(username: configuration.accountSID, password: configuration.authToken),
            timeout: configuration.requestTimeout
        )
        let result: TwilioSendResult
        switch await ProviderExchange.perform(request, on: httpClient) {
        case .response(let response):
            result = Self.result(httpStatus: response.status, body: response.body)
        case .failed(let failure):
            result = TwilioSendResult(outcome: ProviderErrorClassifier.classifyTwilio(transport: failure))
        }
        log(result)
        return result
    }

    private func log(_ result: TwilioSendResult) {
        guard logger.logLevel <= .debug else { return }
        var metadata: Logger.Metadata = ["provider": "twilio", "endpoint": "Messages.json"]
        if let httpStatus = result.httpStatus { metadata["http.status"] = "\(httpStatus)" }
        if let sid = result.sid { metadata["sms.sid"] = "\(sid)" }
        if let errorCode = result.errorCode { metadata["twilio.code"] = "\(errorCode)" }
        switch result.outcome {
        case .success: metadata["outcome"] = "success"
        case .retryable(let reason, _): metadata["outcome"] = "retryable"; metadata["reason"] = "\(reason)"
        case .permanent(let reason, _): metadata["outcome"] = "permanent"; metadata["reason"] = "\(reason)"
        }
        logger.debug("Twilio call finished", metadata: metadata)
    }
}
