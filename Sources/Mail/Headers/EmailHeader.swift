/// One header of an outbound email, in the order it is sent.
public struct EmailHeader: Sendable, Hashable {
    /// The header name, e.g. `In-Reply-To`.
    public let name: String
    /// The header value, already sanitised: it never contains CR, LF or other control characters.
    public let value: String

    /// Creates a header; both name and value are passed through ``HeaderSanitizer``.
    public init(name: String, value: String) {
        self.name = HeaderSanitizer.sanitize(name)
        self.value = HeaderSanitizer.sanitize(value)
    }
}
