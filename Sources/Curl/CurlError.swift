/// A transport failure of ``CurlClient/execute(_:)``: the request got no HTTP response.
///
/// `message` comes from libcurl's error buffer (or `curl_easy_strerror`) and names at most the host,
/// never a request body or credentials.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely; compare with the static members (`error.code == .timedOut`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case timedOut, couldntConnect, couldntResolveHost, tls, send, receive, responseTooLarge, cancelled, shutdown, other
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The connect or total timeout expired.
        public static let timedOut = Code(.timedOut)
        /// The TCP connection was refused or could not be established.
        public static let couldntConnect = Code(.couldntConnect)
        /// The host name (or proxy) did not resolve.
        public static let couldntResolveHost = Code(.couldntResolveHost)
        /// The TLS handshake or certificate verification failed.
        public static let tls = Code(.tls)
        /// Sending the request failed (connection reset while writing …).
        public static let send = Code(.send)
        /// Receiving the response failed (reset, empty reply, broken framing …).
        public static let receive = Code(.receive)
        /// The response was larger than ``CurlClient/Configuration/maxResponseBodySize``; the transfer
        /// was aborted before more of it was kept.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The calling Task was cancelled; the transfer was aborted.
        public static let cancelled = Code(.cancelled)
        /// The client was shut down before the transfer finished.
        public static let shutdown = Code(.shutdown)
        /// Anything else (malformed URL, refused request, out of memory …).
        public static let other = Code(.other)

        /// The code's name, e.g. `timedOut`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The raw `CURLcode` when libcurl reported one; nil for cancellation, shutdown and refused requests.
    public let curlCode: Int32?
    /// A specific, human-readable message; never contains request bodies or credentials.
    public let message: String

    /// Creates an error; the client creates these, tests may too.
    public init(code: Code, curlCode: Int32? = nil, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    /// The error of a response larger than `limit` bytes, saying which setting raises the limit.
    public static func responseTooLarge(limit: Int, curlCode: Int32? = nil) -> CurlError {
        CurlError(
            code: .responseTooLarge, curlCode: curlCode,
            message: "the response is larger than the client's limit of \(limit) bytes; the transfer was aborted "
                + "(raise CurlClient.Configuration.maxResponseBodySize, in herald the HERALD_HTTP_MAX_RESPONSE_BYTES variable)")
    }

    /// True for failures worth retrying: timeouts, refused or reset connections, DNS failures,
    /// send and receive errors. TLS failures, too-large responses (the same answer would be too large
    /// again), cancellation, shutdown and `other` are not transient.
    public var isTransient: Bool {
        switch code {
        case .timedOut, .couldntConnect, .couldntResolveHost, .send, .receive: true
        default: false
        }
    }

    /// `curl error couldntConnect (7): <message>`.
    public var description: String {
        if let curlCode {
            return "curl error \(code) (\(curlCode)): \(message)"
        }
        return "curl error \(code): \(message)"
    }
}
