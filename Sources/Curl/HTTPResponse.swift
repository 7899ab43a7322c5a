/// A complete HTTP response. Any status (including 4xx and 5xx) is a response, not an error.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (interim `1xx` responses are skipped).
    public var status: Int
    /// The headers of the final response, in the order received.
    public var headers: [HTTPHeader]
    /// The body bytes, exactly as received (no content decoding).
    public var body: [UInt8]
    /// How many new connections this transfer opened: `0` when a pooled connection was reused
    /// (libcurl's `CURLINFO_NUM_CONNECTS`).
    public var newConnections: Int

    /// Creates a response; used by the client and by test doubles.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = [], newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.newConnections = newConnections
    }

    /// The value of the first header named `name`, compared case-insensitively; nil if there is none.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// The body decoded as UTF-8; invalid sequences become U+FFFD.
    public var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }
}
