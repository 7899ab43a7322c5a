public import Providers
import Mail

extension Settings {
    /// Postmark's settings:
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `POSTMARK_SERVER_TOKEN` | server API token | required, except in sandbox mode |
    /// | `POSTMARK_API_URL` | API base URL | `PostmarkConfiguration.defaultAPIURL` |
    /// | `POSTMARK_MESSAGE_STREAM` | message stream | `outbound` |
    ///
    /// In sandbox mode the token is always `PostmarkConfiguration.sandboxServerToken`
    /// (`POSTMARK_SERVER_TOKEN` is ignored, so a real token never goes to a sandbox); the caller
    /// points `apiURL` at the running sandbox.
    /// - Throws: ``SettingsError`` naming every variable that is missing or invalid (never its value).
    public func postmark(sandbox: Bool) throws(SettingsError) -> PostmarkConfiguration {
        var problems = SettingsProblems()
        let token: String
        if sandbox {
            token = PostmarkConfiguration.sandboxServerToken
        } else if let value = string("POSTMARK_SERVER_TOKEN") {
            token = value
        } else {
            token = ""
            problems.fail("POSTMARK_SERVER_TOKEN", "POSTMARK_SERVER_TOKEN is not set: set it to your Postmark server token, or run with --sandbox")
        }
        let apiURL = problems.record { () throws(SettingsError) in try baseURL("POSTMARK_API_URL") } ?? PostmarkConfiguration.defaultAPIURL
        let stream = string("POSTMARK_MESSAGE_STREAM") ?? "outbound"
        try problems.check("Postmark is not configured")
        return PostmarkConfiguration(serverToken: token, apiURL: apiURL, messageStream: stream)
    }

    /// Twilio's settings:
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `TWILIO_ACCOUNT_SID` | Account SID | required, except in sandbox mode |
    /// | `TWILIO_AUTH_TOKEN` | auth token | required, except in sandbox mode |
    /// | `TWILIO_FROM` | sending number (E.164) or alphanumeric sender ID | exactly one of these two is required, except in sandbox mode (`TwilioConfiguration.sandboxFrom`) |
    /// | `TWILIO_MESSAGING_SERVICE_SID` | Messaging Service SID | |
    /// | `TWILIO_API_URL` | API base URL | `TwilioConfiguration.defaultAPIURL` |
    /// | `HERALD_PUBLIC_URL` | Herald's public base URL; the status callback is it + `TwilioConfiguration.statusCallbackPath` | no status callback |
    ///
    /// In sandbox mode the credentials are always the sandbox ones (the real ones are ignored, so
    /// they never go to a sandbox); the caller points `apiURL` at the running sandbox.
    /// - Throws: ``SettingsError`` naming every variable that is missing or invalid (never its value).
    public func twilio(sandbox: Bool) throws(SettingsError) -> TwilioConfiguration {
        var problems = SettingsProblems()
        var accountSID = TwilioConfiguration.sandboxAccountSID
        var authToken = TwilioConfiguration.sandboxAuthToken
        if !sandbox {
            accountSID = string("TWILIO_ACCOUNT_SID") ?? ""
            authToken = string("TWILIO_AUTH_TOKEN") ?? ""
            if accountSID.isEmpty {
                problems.fail(
                    "TWILIO_ACCOUNT_SID",
                    "TWILIO_ACCOUNT_SID is not set: set it to your Twilio Account SID (AC followed by 32 hex digits), or run with --sandbox")
            } else if !TwilioConfiguration.isValidAccountSID(accountSID) {
                problems.fail("TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID must contain only ASCII letters and digits (AC followed by 32 hex digits)")
            }
            if authToken.isEmpty {
                problems.fail("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN is not set: set it to your Twilio auth token, or run with --sandbox")
            }
        }
        let sender = twilioSender(sandbox: sandbox, problems: &problems)
        let apiURL = problems.record { () throws(SettingsError) in try baseURL("TWILIO_API_URL") } ?? TwilioConfiguration.defaultAPIURL
        let callback = problems.record { () throws(SettingsError) in try baseURL("HERALD_PUBLIC_URL") }.map { $0 + TwilioConfiguration.statusCallbackPath }
        try problems.check("Twilio is not configured")
        return TwilioConfiguration(
            accountSID: accountSID, authToken: authToken, sender: sender ?? .from(TwilioConfiguration.sandboxFrom), apiURL: apiURL,
            statusCallbackURL: callback)
    }

    /// True when any Twilio variable is set: then Twilio must be configured completely.
    var anyTwilio: Bool {
        ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID"].contains(where: isSet)
    }

    private func twilioSender(sandbox: Bool, problems: inout SettingsProblems) -> TwilioConfiguration.Sender? {
        switch (string("TWILIO_FROM"), string("TWILIO_MESSAGING_SERVICE_SID")) {
        case (let from?, nil):
            if from.hasPrefix("+") {
                guard let number = PhoneNumber.normalize(from) else {
                    problems.fail("TWILIO_FROM", "TWILIO_FROM must be an E.164 number such as +14155552671, or an alphanumeric sender ID")
                    return nil
                }
                return .from(number)
            }
            return .from(from)
        case (nil, let service?):
            return .messagingService(sid: service)
        case (_?, _?):
            problems.fail("TWILIO_FROM", "both TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID are set: set only one of them")
            return nil
        case (nil, nil):
            if sandbox { return .from(TwilioConfiguration.sandboxFrom) }
            problems.fail(
                "TWILIO_FROM",
                "neither TWILIO_FROM nor TWILIO_MESSAGING_SERVICE_SID is set: set one of them (a sending number such as "
                    + "+14155552671, or a Messaging Service SID MG…), or run with --sandbox")
            return nil
        }
    }

    /// An absolute `http://` or `https://` URL from `name`, trailing slashes removed; nil when unset.
    /// Throws when the value is not such a URL (the value is not echoed: it may carry credentials).
    func baseURL(_ name: String) throws(SettingsError) -> String? {
        guard let value = string(name) else { return nil }
        guard let normalized = Self.normalizedBaseURL(value) else {
            throw SettingsError(name, "\(name) must be an absolute http:// or https:// URL with a host")
        }
        return normalized
    }

    /// `url` without trailing slashes when it is `http(s)://host…` with a non-empty host and no
    /// whitespace or control characters; otherwise `nil`.
    static func normalizedBaseURL(_ url: String) -> String? {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https://"
        } else if lowered.hasPrefix("http://") {
            scheme = "http://"
        } else {
            return nil
        }
        guard !url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            return nil
        }
        var trimmed = Substring(url)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let afterScheme = trimmed.dropFirst(scheme.count)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        guard !host.isEmpty, !host.hasPrefix(":") else { return nil }
        return String(trimmed)
    }
}
