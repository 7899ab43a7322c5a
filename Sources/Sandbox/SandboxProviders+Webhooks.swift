public import Curl
import Synchronization

/// Playing the providers' part towards Herald's HTTP server: POSTing webhooks and status callbacks
/// through libcurl (`CurlClient`). HTTP error statuses come back in the response; transport failures throw
/// `CurlError`.
extension SandboxProviders {
    /// POSTs a Postmark webhook payload as JSON to `url`, with HTTP basic auth when given (Postmark sends the
    /// credentials embedded in the webhook URL as basic auth).
    /// - Parameter client: the client to send with; by default the sandbox's own (created on first use).
    public func postPostmarkWebhook(
        _ payload: some PostmarkWebhookPayload, to url: String, basicAuth: BasicAuth? = nil, client: CurlClient? = nil
    ) async throws -> Curl.HTTPResponse {
        let request = HTTPRequest(
            method: .POST, url: url,
            headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")],
            body: try payload.jsonBody(), basicAuth: basicAuth)
        return try await (client ?? webhookClient()).execute(request)
    }

    /// POSTs a Twilio status callback, form-encoded, to `url`, signed with `X-Twilio-Signature` computed from
    /// `url` and `authToken` (default: the sandbox's configured Twilio auth token).
    /// - Parameter client: the client to send with; by default the sandbox's own (created on first use).
    public func postTwilioStatusCallback(
        _ callback: TwilioStatusCallback, to url: String, authToken: String? = nil, client: CurlClient? = nil
    ) async throws -> Curl.HTTPResponse {
        let token = authToken ?? configuration.twilioAuthToken
        let request = HTTPRequest(
            method: .POST, url: url,
            headers: [
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("X-Twilio-Signature", callback.signature(url: url, authToken: token)),
            ],
            body: callback.formBody())
        return try await (client ?? webhookClient()).execute(request)
    }

    private func webhookClient() -> CurlClient {
        ownWebhookClient.withLock { client in
            if let client { return client }
            var configuration = CurlClient.Configuration()
            configuration.timeout = .seconds(10)
            configuration.userAgent = "herald-sandbox/1.0"
            let created = CurlClient(configuration: configuration)
            client = created
            return created
        }
    }
}
