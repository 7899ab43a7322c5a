public import Discussions
public import Mail
public import Providers

/// Settings of `herald serve`, from the environment (flags override them in the CLI).
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

    /// Basic-auth credentials; printed, debug-printed and reflected with the password as `***`.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The user name.
        public var user: String
        /// The password. A secret.
        public var password: String
        /// Credentials from both parts.
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
        /// `Credentials(user: postmark, password: ***)`.
        public var description: String { "Credentials(user: \(user), password: ***)" }
        /// Same as ``description``.
        public var debugDescription: String { description }
        /// A mirror without the password.
        public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "***"], displayStyle: .struct) }
    }

    public var host: String
    public var port: Int
    /// Without trailing slash.
    public var publicURL: String
    public var signingKey: TokenSigningKey
    public var postmarkWebhook: Credentials?
    public var twilioAuthToken: String?
    public var trustedProxies: TrustedProxies
    public var admin: Credentials?
    /// A second console login that sees every page but cannot act (no retry, cancel, release …).
    public var adminReadOnly: Credentials?
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
        postmarkWebhook: Credentials? = nil, twilioAuthToken: String? = nil, trustedProxies: TrustedProxies = .none,
        admin: Credentials? = nil, maximumBodySize: Int = 1 << 20, requestTimeout: Duration = .seconds(10),
        maximumInboundBodySize: Int = ServerConfiguration.defaultMaximumInboundBodySize, inboundRequestTimeout: Duration = .seconds(120),
        adminReadOnly: Credentials? = nil
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

    /// Reads the table above.
    /// - Throws: `ServerError` `.invalidConfiguration` naming every problem (never a secret's value).
    public static func fromEnvironment(_ environment: [String: String], sandbox: Bool) throws -> ServerConfiguration {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var problems: [String] = []
        let host = value("HERALD_HTTP_HOST") ?? "127.0.0.1"
        var port = 8080
        if let text = value("HERALD_HTTP_PORT") {
            if let parsed = Int(text), (0...65535).contains(parsed) { port = parsed } else { problems.append("HERALD_HTTP_PORT must be a port number (0-65535)") }
        }
        var signingKey: TokenSigningKey?
        do {
            signingKey = try DiscussionSettings.fromEnvironment(environment, sandbox: sandbox).signingKey
        } catch let error as DeliveryError {
            problems.append(error.message)
        } catch {
            problems.append("\(error)")
        }
        var webhook: Credentials?
        switch (value("HERALD_POSTMARK_WEBHOOK_USER"), value("HERALD_POSTMARK_WEBHOOK_PASSWORD")) {
        case (let user?, let password?): webhook = Credentials(user: user, password: password)
        case (nil, nil) where sandbox: webhook = Credentials(user: sandboxWebhookUser, password: sandboxWebhookPassword)
        default: problems.append("set both HERALD_POSTMARK_WEBHOOK_USER and HERALD_POSTMARK_WEBHOOK_PASSWORD (the basic-auth credentials configured on Postmark's webhooks), or run with --sandbox")
        }
        let twilioToken = value("TWILIO_AUTH_TOKEN") ?? (sandbox ? TwilioConfiguration.sandboxAuthToken : nil)
        var proxies = TrustedProxies.none
        if let list = value("HERALD_TRUSTED_PROXIES") {
            do { proxies = try TrustedProxies(parsing: list) } catch let error as ServerError { problems.append(error.message) } catch { problems.append("\(error)") }
        }
        var admin: Credentials?
        switch (value("HERALD_ADMIN_USER"), value("HERALD_ADMIN_PASSWORD")) {
        case (let user?, let password?): admin = Credentials(user: user, password: password)
        case (nil, nil): admin = nil
        default: problems.append("set both HERALD_ADMIN_USER and HERALD_ADMIN_PASSWORD, or neither")
        }
        var adminReadOnly: Credentials?
        switch (value("HERALD_ADMIN_READONLY_USER"), value("HERALD_ADMIN_READONLY_PASSWORD")) {
        case (let user?, let password?) where admin != nil: adminReadOnly = Credentials(user: user, password: password)
        case (.some, .some): problems.append("HERALD_ADMIN_READONLY_USER/PASSWORD need HERALD_ADMIN_USER/PASSWORD too (without them the console answers loopback clients only)")
        case (nil, nil): adminReadOnly = nil
        default: problems.append("set both HERALD_ADMIN_READONLY_USER and HERALD_ADMIN_READONLY_PASSWORD, or neither")
        }
        if let admin, let adminReadOnly, admin.user == adminReadOnly.user {
            problems.append("HERALD_ADMIN_READONLY_USER must differ from HERALD_ADMIN_USER")
        }
        var maximumBody = 1 << 20
        if let text = value("HERALD_HTTP_MAX_BODY") {
            if let parsed = Int(text), parsed > 0 { maximumBody = parsed } else { problems.append("HERALD_HTTP_MAX_BODY must be a positive number of bytes") }
        }
        var timeout = Duration.seconds(10)
        if let text = value("HERALD_HTTP_REQUEST_TIMEOUT") {
            if let parsed = Double(text), parsed > 0 { timeout = .milliseconds(Int(parsed * 1000)) } else { problems.append("HERALD_HTTP_REQUEST_TIMEOUT must be a positive number of seconds") }
        }
        var maximumInbound = defaultMaximumInboundBodySize
        if let text = value("HERALD_HTTP_MAX_INBOUND_BODY") {
            if let parsed = Int(text), parsed > 0 { maximumInbound = parsed } else { problems.append("HERALD_HTTP_MAX_INBOUND_BODY must be a positive number of bytes") }
        }
        var inboundTimeout = Duration.seconds(120)
        if let text = value("HERALD_HTTP_INBOUND_TIMEOUT") {
            if let parsed = Double(text), parsed > 0 { inboundTimeout = .milliseconds(Int(parsed * 1000)) } else { problems.append("HERALD_HTTP_INBOUND_TIMEOUT must be a positive number of seconds") }
        }
        guard problems.isEmpty, let signingKey else {
            throw ServerError(code: .invalidConfiguration, message: "herald serve is not configured:\n  - " + problems.joined(separator: "\n  - "))
        }
        return ServerConfiguration(
            host: host, port: port, publicURL: value("HERALD_PUBLIC_URL"), signingKey: signingKey, postmarkWebhook: webhook,
            twilioAuthToken: twilioToken, trustedProxies: proxies, admin: admin, maximumBodySize: maximumBody, requestTimeout: timeout,
            maximumInboundBodySize: maximumInbound, inboundRequestTimeout: inboundTimeout,
            adminReadOnly: adminReadOnly)
    }
}

extension ServerConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The settings with every secret shown as `***`.
    public var description: String {
        "ServerConfiguration(" + Self.describe(redactedChildren) + ")"
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the secrets replaced, so `dump(_:)` cannot print them either.
    public var customMirror: Mirror {
        Mirror(self, children: redactedChildren.map { (label: Optional($0.0), value: $0.1) }, displayStyle: .struct)
    }

    private var redactedChildren: [(String, Any)] {
        [
            ("host", host), ("port", port), ("publicURL", Redaction.url(publicURL)), ("signingKey", signingKey),
            ("postmarkWebhook", postmarkWebhook.map { "\($0)" } ?? "none"), ("twilioAuthToken", twilioAuthToken == nil ? "none" : "***"),
            ("trustedProxies", trustedProxies), ("admin", admin.map { "\($0)" } ?? "none"),
            ("adminReadOnly", adminReadOnly.map { "\($0)" } ?? "none"), ("maximumBodySize", maximumBodySize),
            ("requestTimeout", requestTimeout), ("maximumInboundBodySize", maximumInboundBodySize),
            ("inboundRequestTimeout", inboundRequestTimeout),
        ]
    }

    private static func describe(_ children: [(String, Any)]) -> String {
        children.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
    }
}
