extension CurlClient {
    /// Settings for a ``CurlClient``; every property has a documented default.
    public struct Configuration: Sendable {
        /// Time allowed to establish a connection (TCP and TLS). Default 5 s.
        public var connectTimeout: Duration
        /// Total time allowed per transfer, connect included; ``HTTPRequest/timeout`` overrides it.
        /// Default 30 s.
        public var timeout: Duration
        /// Most connections open to one host at once; further transfers wait for one. 0 (the default)
        /// means unlimited.
        public var maxConnectionsPerHost: Int
        /// Most connections open in total at once. 0 (the default) means unlimited.
        public var maxTotalConnections: Int
        /// Verify the server's certificate chain and host name. Default true; turn off only for tests.
        public var verifyTLS: Bool
        /// The `User-Agent` header; empty sends none. Default `herald/1.0`.
        public var userAgent: String
        /// Negotiate HTTP/2 over TLS (and multiplex requests on one connection). Default true;
        /// plain `http://` always uses HTTP/1.1.
        public var enableHTTP2: Bool
        /// Most idle connections kept open for reuse (`CURLMOPT_MAXCONNECTS`). Default 1,024.
        ///
        /// libcurl's own default is four times the number of transfers in progress, so after a
        /// burst of hundreds of HTTP/1.1 requests it closed most of the connections it had just
        /// opened, and the next burst opened them again: `herald bench delivery` saw about one new
        /// connection (handshake, server-side channel set-up, TIME_WAIT) per four emails.
        public var maxIdleConnections: Int
        /// Largest response accepted, in bytes: body, and separately the final response's header block.
        /// A larger one aborts the transfer (refused up front when `Content-Length` says so, else as
        /// soon as the bytes received pass the limit), and ``CurlClient/execute(_:)`` throws
        /// ``CurlError`` code `.responseTooLarge`; no more than this is ever held in memory per
        /// transfer. Default ``defaultMaxResponseBodySize`` (16 MiB): provider APIs answer in a few KB.
        public var maxResponseBodySize: Int

        /// The default of ``maxResponseBodySize``: 16 MiB.
        public static let defaultMaxResponseBodySize = 16 << 20

        /// Creates a configuration; every argument has the default documented on its property.
        public init(
            connectTimeout: Duration = .seconds(5),
            timeout: Duration = .seconds(30),
            maxConnectionsPerHost: Int = 0,
            maxTotalConnections: Int = 0,
            verifyTLS: Bool = true,
            userAgent: String = "herald/1.0",
            enableHTTP2: Bool = true,
            maxIdleConnections: Int = 1_024,
            maxResponseBodySize: Int = Configuration.defaultMaxResponseBodySize
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.verifyTLS = verifyTLS
            self.userAgent = userAgent
            self.enableHTTP2 = enableHTTP2
            self.maxIdleConnections = maxIdleConnections
            self.maxResponseBodySize = maxResponseBodySize
        }
    }
}
