import Curl
import Discussions
import Mail
public import Server
import Providers

extension Settings {
    /// `herald serve`'s settings (flags, where there are any, are applied to the settings first):
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `HERALD_HTTP_HOST` | address to listen on | `127.0.0.1` |
    /// | `HERALD_HTTP_PORT` | port (0: any free port) | `8080` |
    /// | `HERALD_PUBLIC_URL` | Herald's public base URL (pixel/click links; Twilio signatures are checked against it) | `http://HOST:PORT` |
    /// | `HERALD_SECRET` | token signing key, ≥ 32 bytes | required, except in sandbox/demo mode |
    /// | `HERALD_POSTMARK_WEBHOOK_USER`, `HERALD_POSTMARK_WEBHOOK_PASSWORD` | basic-auth credentials Postmark sends with its webhooks | required (both), except in sandbox mode |
    /// | `TWILIO_AUTH_TOKEN` | key of `X-Twilio-Signature` | required for the Twilio route (else it answers 503), sandbox: the sandbox token |
    /// | `HERALD_TRUSTED_PROXIES` | IPs/CIDRs whose `X-Forwarded-For` is believed | none |
    /// | `HERALD_ADMIN_USER`, `HERALD_ADMIN_PASSWORD` | the operator console's login (`/admin`) | unset: `/admin` answers loopback clients only |
    /// | `HERALD_ADMIN_READONLY_USER`, `HERALD_ADMIN_READONLY_PASSWORD` | a console login that can look but not act | unset: none |
    /// | `HERALD_HTTP_MAX_BODY` | largest request body in bytes (larger: 413), every route but inbound | 1 MiB |
    /// | `HERALD_HTTP_REQUEST_TIMEOUT` | seconds a request may take (longer: 503), every route but inbound | 10 |
    /// | `HERALD_HTTP_MAX_INBOUND_BODY` | largest body of `POST /webhooks/postmark/inbound` | 50 MiB |
    /// | `HERALD_HTTP_INBOUND_TIMEOUT` | seconds an inbound webhook may take | 120 |
    ///
    /// - Throws: ``SettingsError`` naming every problem (never a secret's value).
    public func server(sandbox: Bool) throws(SettingsError) -> ServerConfiguration {
        var problems = SettingsProblems()
        let host = string("HERALD_HTTP_HOST") ?? "127.0.0.1"
        let port = problems.record { () throws(SettingsError) in
            try int("HERALD_HTTP_PORT", expected: "a port number (0-65535)", where: { (0...65535).contains($0) })
        } ?? 8080
        let signingKey = problems.record { () throws(SettingsError) in try self.signingKey(sandbox: sandbox) }
        var webhook: BasicAuth?
        switch (string("HERALD_POSTMARK_WEBHOOK_USER"), string("HERALD_POSTMARK_WEBHOOK_PASSWORD")) {
        case (let user?, let password?): webhook = .init(username: user, password: password)
        case (nil, nil) where sandbox:
            webhook = .init(username: ServerConfiguration.sandboxWebhookUser, password: ServerConfiguration.sandboxWebhookPassword)
        default:
            problems.fail(
                "HERALD_POSTMARK_WEBHOOK_USER",
                "set both HERALD_POSTMARK_WEBHOOK_USER and HERALD_POSTMARK_WEBHOOK_PASSWORD (the basic-auth credentials configured on Postmark's webhooks), or run with --sandbox")
        }
        let twilioToken = string("TWILIO_AUTH_TOKEN") ?? (sandbox ? TwilioConfiguration.sandboxAuthToken : nil)
        var proxies = TrustedProxies.none
        if let list = string("HERALD_TRUSTED_PROXIES") {
            do { proxies = try TrustedProxies(parsing: list) } catch let error as ServerError {
                problems.fail("HERALD_TRUSTED_PROXIES", "HERALD_TRUSTED_PROXIES: \(error.message)")
            } catch { problems.fail("HERALD_TRUSTED_PROXIES", "\(error)") }
        }
        var admin: BasicAuth?
        switch (string("HERALD_ADMIN_USER"), string("HERALD_ADMIN_PASSWORD")) {
        case (let user?, let password?): admin = .init(username: user, password: password)
        case (nil, nil): admin = nil
        default: problems.fail("HERALD_ADMIN_USER", "set both HERALD_ADMIN_USER and HERALD_ADMIN_PASSWORD, or neither")
        }
        var adminReadOnly: BasicAuth?
        switch (string("HERALD_ADMIN_READONLY_USER"), string("HERALD_ADMIN_READONLY_PASSWORD")) {
        case (let user?, let password?) where admin != nil: adminReadOnly = .init(username: user, password: password)
        case (.some, .some):
            problems.fail(
                "HERALD_ADMIN_READONLY_USER",
                "HERALD_ADMIN_READONLY_USER/PASSWORD need HERALD_ADMIN_USER/PASSWORD too (without them the console answers loopback clients only)")
        case (nil, nil): adminReadOnly = nil
        default: problems.fail("HERALD_ADMIN_READONLY_USER", "set both HERALD_ADMIN_READONLY_USER and HERALD_ADMIN_READONLY_PASSWORD, or neither")
        }
        if let admin, let adminReadOnly, admin.username == adminReadOnly.username {
            problems.fail("HERALD_ADMIN_READONLY_USER", "HERALD_ADMIN_READONLY_USER must differ from HERALD_ADMIN_USER")
        }
        let maximumBody = problems.record { () throws(SettingsError) in
            try int("HERALD_HTTP_MAX_BODY", expected: "a positive number of bytes", where: { $0 > 0 })
        } ?? 1 << 20
        let timeout = problems.record { () throws(SettingsError) in try seconds("HERALD_HTTP_REQUEST_TIMEOUT") } ?? .seconds(10)
        let maximumInbound = problems.record { () throws(SettingsError) in
            try int("HERALD_HTTP_MAX_INBOUND_BODY", expected: "a positive number of bytes", where: { $0 > 0 })
        } ?? ServerConfiguration.defaultMaximumInboundBodySize
        let inboundTimeout = problems.record { () throws(SettingsError) in try seconds("HERALD_HTTP_INBOUND_TIMEOUT") } ?? .seconds(120)
        try problems.check("herald serve is not configured")
        guard let signingKey else { throw SettingsError("HERALD_SECRET", "herald serve is not configured: HERALD_SECRET") }
        return ServerConfiguration(
            host: host, port: port, publicURL: string("HERALD_PUBLIC_URL"), signingKey: signingKey, postmarkWebhook: webhook,
            twilioAuthToken: twilioToken, trustedProxies: proxies, admin: admin, maximumBodySize: maximumBody, requestTimeout: timeout,
            maximumInboundBodySize: maximumInbound, inboundRequestTimeout: inboundTimeout, adminReadOnly: adminReadOnly)
    }

    /// A positive number of seconds from `name` as a duration (millisecond precision); nil when unset.
    func seconds(_ name: String) throws(SettingsError) -> Duration? {
        try double(name, expected: "a positive number of seconds", where: { $0 > 0 }).map { .milliseconds(Int64($0 * 1000)) }
    }
}
