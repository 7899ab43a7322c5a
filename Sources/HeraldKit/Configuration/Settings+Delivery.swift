public import Curl
public import Discussions
public import Mail
public import Notifications

extension Settings {
    /// `HERALD_SANDBOX`: send to the sandbox providers (`1`, `true`, `yes`, `on`); default off.
    public func sandbox() throws(SettingsError) -> Bool { try bool("HERALD_SANDBOX") ?? false }

    /// A copy with a random `HERALD_SECRET` when it is unset, so every part of one sandbox process
    /// (the HTTP side and the workers) signs and checks tokens with the same key.
    public func withSandboxSecret() -> Settings {
        guard !isSet("HERALD_SECRET") else { return self }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
        return overriding("HERALD_SECRET", with: secret)
    }

    /// `HERALD_SECRET`, the key of click, reply and unsubscribe tokens (at least
    /// `TokenSigningKey.minimumSecretLength` bytes). Required; in sandbox mode an unset one is a
    /// random key for this process.
    public func signingKey(sandbox: Bool) throws(SettingsError) -> TokenSigningKey {
        let minimum = TokenSigningKey.minimumSecretLength
        if let secret = string("HERALD_SECRET") {
            do {
                return try TokenSigningKey(secret: secret)
            } catch {
                throw SettingsError("HERALD_SECRET", "HERALD_SECRET must be at least \(minimum) bytes (e.g. `openssl rand -hex 32`)")
            }
        }
        guard sandbox else {
            throw SettingsError(
                "HERALD_SECRET",
                "HERALD_SECRET is not set: set it to at least \(minimum) random bytes (e.g. `openssl rand -hex 32`), or run with --sandbox")
        }
        return .random()
    }

    /// `HERALD_FROM_EMAIL`: the one default sender of notifications, digests and discussion emails
    /// (tenants without `communication_settings.from_email`). Default
    /// `NotificationDeliveryConfiguration.standardFromEmail` (`notifications@herald.localhost`).
    public var fromEmail: String { string("HERALD_FROM_EMAIL") ?? NotificationDeliveryConfiguration.standardFromEmail }

    /// `HERALD_MESSAGE_ID_DOMAIN`: the domain of generated Message-IDs. Default `herald.localhost`.
    public var messageIDDomain: String { string("HERALD_MESSAGE_ID_DOMAIN") ?? "herald.localhost" }

    /// The discussion side: `HERALD_SECRET` (see ``signingKey(sandbox:)``), `HERALD_PUBLIC_URL`
    /// (default `http://127.0.0.1:8080`), `HERALD_MESSAGE_ID_DOMAIN`, `HERALD_FROM_EMAIL`.
    public func discussion(sandbox: Bool) throws(SettingsError) -> DiscussionSettings {
        var settings = DiscussionSettings(signingKey: try signingKey(sandbox: sandbox), messageIDDomain: messageIDDomain, defaultFrom: fromEmail)
        if let url = string("HERALD_PUBLIC_URL") {
            settings = DiscussionSettings(
                signingKey: settings.signingKey, publicURL: url, messageIDDomain: settings.messageIDDomain, defaultFrom: settings.defaultFrom)
        }
        return settings
    }

    /// Notification delivery: `HERALD_FROM_EMAIL`, `HERALD_FROM_NAME` (default `Herald`),
    /// `HERALD_MESSAGE_ID_DOMAIN`; `HERALD_INLINE_FIRST_EMAIL=0` makes every immediate email an
    /// `email.send` job (default 1).
    public func delivery() throws(SettingsError) -> NotificationDeliveryConfiguration {
        var configuration = NotificationDeliveryConfiguration(defaultFromEmail: fromEmail, messageIDDomain: messageIDDomain)
        if let name = string("HERALD_FROM_NAME") { configuration.defaultFromName = name }
        if let inline = try bool("HERALD_INLINE_FIRST_EMAIL") { configuration.inlineFirstEmailAttempt = inline }
        return configuration
    }

    /// `HERALD_HTTP_CLIENTS`: libcurl clients the provider requests are spread over. Default 4.
    public func httpClientCount() throws(SettingsError) -> Int {
        try int("HERALD_HTTP_CLIENTS", expected: "a positive whole number", where: { $0 > 0 }) ?? 4
    }

    /// The libcurl clients' settings: `HERALD_HTTP_MAX_RESPONSE_BYTES` (default 16 MiB).
    public func curl() throws(SettingsError) -> CurlClient.Configuration {
        var configuration = CurlClient.Configuration()
        if let limit = try int(
            "HERALD_HTTP_MAX_RESPONSE_BYTES",
            expected: "a positive number of bytes (default \(CurlClient.Configuration.defaultMaxResponseBodySize))", where: { $0 > 0 })
        {
            configuration.maxResponseBodySize = limit
        }
        return configuration
    }

    /// `HERALD_HTTP_DB_POOL_SIZE`: database connections of the HTTP side. Default 16.
    public func httpPoolSize() throws(SettingsError) -> Int {
        try int("HERALD_HTTP_DB_POOL_SIZE", expected: "a positive whole number", where: { $0 > 0 }) ?? 16
    }
}
