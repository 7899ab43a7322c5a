public import Curl
import Discussions
public import Mail
public import Providers

/// Settings of `herald serve`. The executable builds them from these variables (flags override
/// them in the CLI); the defaults are those of the init:
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `HERALD_HTTP_HOST` | address to listen on | `127.0.0.1` |
/// | `HERALD_HTTP_PORT` | port (0: any free port) | `8080` |
/// | `HERALD_PUBLIC_URL` | Herald's public base URL (pixel/click links; Twilio signatures are checked against it) | `http://HOST:PORT` |
/// | `HERALD_SECRET` | token signing key, ≥ 32 bytes | required, except in sandbox/demo mode |
/// | `HERALD_POSTMARK_WEBHOOK_USER`, `HERALD_POSTMARK_WEBHOOK_PASSWORD` | basic-auth credentials Postmark sends with its webhooks | required (both), except in sandbox mode (``sandboxWebhookUser``/``sandboxWebhookPassword``) |
/// | `TWILIO_AUTH_TOKEN` | key of `X-Twilio-Signature` | required for the Twilio route (else it answers 503), sandbox: the sandbox token |
/// | `HERALD_TRUSTED_PROXIES` | IPs/CIDRs whose `X-Forwarded-For` is believed | none |
/// | `HERALD_ADMIN_USER`, `HERALD_ADMIN_PASSWORD` | the operator console's login (`/admin`) | unset: `/admin` answers loopback clients only |
/// | `HERALD_ADMIN_READONLY_USER`, `HERALD_ADMIN_READONLY_PASSWORD` | a console login that can look but not act | unset: none |
/// | `HERALD_HTTP_MAX_BODY` | largest request body in bytes (larger: 413), every route but inbound | 1 MiB |
/// | `HERALD_HTTP_REQUEST_TIMEOUT` | seconds a request may take (longer: 503), every route but inbound | 10 |
/// | `HERALD_HTTP_MAX_INBOUND_BODY` | largest body of `POST /webhooks/postmark/inbound` | 50 MiB (Postmark's 35 MB of attachments as base64 JSON) |
/// | `HERALD_HTTP_INBOUND_TIMEOUT` | seconds an inbound webhook may take | 120 |
///
/// `description`, `debugDescription` and the reflection mirror show every secret (the signing key,
/// the webhook and console passwords, the Twilio auth token, a password in ``publicURL``) as `***`,
/// so the configuration, and anything holding it, may be logged.
public struct ServerConfiguration: Sendable {
    /// Postmark webhook user in sandbox mode.
    public static let sandboxWebhookUser = "postmark"
    /// Postmark webhook password in sandbox mode.
    public static let sandboxWebhookPassword = "sandbox-webhook-password"

    public var host: String
    public var port: Int
    /// Without trailing slash.
    public var publicURL: String
    public var signingKey: TokenSigningKey
    public var postmarkWebhook: BasicAuth?
    public var twilioAuthToken: String?
    public var trustedProxies: TrustedProxies
    public var admin: BasicAuth?
    /// A second console login that sees every page but cannot act (no retry, cancel, release …).
    public var adminReadOnly: BasicAuth?
    public var maximumBodySize: Int
    public var requestTimeout: Duration
    /// `GET /healthz` answers 503 when the database has not answered `SELECT 1` within this. Default 2 s.
    public var healthCheckTimeout: Duration = .seconds(2)
    /// Largest body of the inbound route: Postmark allows 35 MB of attachments, about 47 MB once
    /// base64-encoded in its JSON, so the default is 50 MiB.
    public var maximumInboundBodySize: Int
    /// Time limit of the inbound route (a large reply takes a while to upload and store).
    public var inboundRequestTimeout: Duration

    /// Default of ``maximumInboundBodySize``: 50 MiB.
    public static let defaultMaximumInboundBodySize = 50 << 20

    /// Explicit settings; each default is the documented one.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, signingKey: TokenSigningKey,
        postmarkWebhook: BasicAuth? = nil, twilioAuthToken: String? = nil, trustedProxies: TrustedProxies = .none,
        admin: BasicAuth? = nil, maximumBodySize: Int = 1 << 20, requestTimeout: Duration = .seconds(10),
        maximumInboundBodySize: Int = ServerConfiguration.defaultMaximumInboundBodySize, inboundRequestTimeout: Duration = .seconds(120),
        adminReadOnly: BasicAuth? = nil
    ) {
        self.host = host
        self.port = port
        var url = publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
        self.signingKey = signingKey
        self.postmarkWebhook = postmarkWebhook
        self.twilioAuthToken = twilioAuthToken
        self.trustedProxies = trustedProxies
        self.admin = admin
        self.adminReadOnly = adminReadOnly
        self.maximumBodySize = maximumBodySize
        self.requestTimeout = requestTimeout
        self.maximumInboundBodySize = maximumInboundBodySize
        self.inboundRequestTimeout = inboundRequestTimeout
    }
}

extension ServerConfiguration: RedactedDescription {
    /// The settings with every secret shown as `***`.
    public var redactedMembers: KeyValuePairs<String, Any> {
        [
            "host": host, "port": port, "publicURL": Redaction.url(publicURL), "signingKey": signingKey,
            "postmarkWebhook": postmarkWebhook.map { "\($0)" } ?? "none", "twilioAuthToken": twilioAuthToken == nil ? "none" : Redaction.mask,
            "trustedProxies": trustedProxies, "admin": admin.map { "\($0)" } ?? "none",
            "adminReadOnly": adminReadOnly.map { "\($0)" } ?? "none", "maximumBodySize": maximumBodySize,
            "requestTimeout": requestTimeout, "maximumInboundBodySize": maximumInboundBodySize,
            "inboundRequestTimeout": inboundRequestTimeout,
        ]
    }
}
