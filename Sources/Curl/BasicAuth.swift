/// Credentials for HTTP Basic authentication (RFC 7617).
///
/// Used both ways: the credentials Herald sends (Postmark, Twilio) and the ones it checks (the
/// Postmark webhook, the console's logins). The password never appears in `description`,
/// `debugDescription` or the reflection mirror (`dump(_:)`), in logs written by this module or in
/// `CurlError` messages.
public struct BasicAuth: Sendable, Hashable {
    /// The user name (Postmark server token user, Twilio account SID …).
    public var username: String
    /// The password; kept out of every description.
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

extension BasicAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `BasicAuth(username: …, password: ***)` — the password is redacted.
    public var description: String { "BasicAuth(username: \(username), password: ***)" }
    /// Same as `description`: the password is redacted here too.
    public var debugDescription: String { description }
    /// The user name and `***`, so `dump(_:)` of anything holding credentials cannot print the password.
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "***"], displayStyle: .struct) }
}
