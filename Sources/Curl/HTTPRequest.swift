/// One HTTP request for ``CurlClient/execute(_:)``.
///
/// The body is sent as is (with a `Content-Length`); set `Content-Type` yourself through `headers`.
/// Redirects are not followed.
public struct HTTPRequest: Sendable {
    /// The method. `HEAD` requests never read a body.
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL; other schemes are refused.
    public var url: String
    /// Extra request headers, sent in order. A header replaces the one libcurl would add under the same name.
    /// Names and values must not contain CR, LF or NUL (the request is refused otherwise).
    public var headers: [HTTPHeader]
    /// The request body; empty means none (POST, PUT and PATCH still send `Content-Length: 0`).
    public var body: [UInt8]
    /// HTTP Basic credentials, sent preemptively.
    public var basicAuth: BasicAuth?
    /// Overrides the client's total timeout (``CurlClient/Configuration/timeout``) for this request.
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: HTTPMethod = .GET,
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        basicAuth: BasicAuth? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.basicAuth = basicAuth
        self.timeout = timeout
    }
}
