/// Who is asking, as far as the console is concerned (set by ``ConsoleAuthenticator``).
struct ConsoleAccess: Sendable {
    var role: ConsoleRole
    /// The session the request carried or that this answer starts (nil: Basic auth only).
    var session: ConsoleSession?
    /// A `Set-Cookie` value to send (a new session).
    var setCookie: String?
    /// The CSRF token to embed in forms ("" without a session).
    var csrf: String
    /// Who acts, for the audit log: the login's user name, or "loopback".
    var actor: String
}
