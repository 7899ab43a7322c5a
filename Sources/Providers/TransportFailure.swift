/// A failure below HTTP: no response was received. (The Curl module's error maps onto this, so the
/// classifier does not depend on the HTTP client.)
public enum TransportFailure: Sendable, Hashable {
    /// The request timed out.
    case timeout
    /// The connection could not be established or broke (DNS, refused, reset, TLS handshake).
    case connectionFailed
    /// Anything else, described.
    case other(String)
}
