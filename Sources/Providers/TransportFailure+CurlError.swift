public import Curl

extension TransportFailure {
    /// The failure for a ``CurlError``: a timeout is `.timeout`; a refused, unresolved, reset or
    /// TLS-failed connection is `.connectionFailed`; anything else (cancellation, shutdown, a refused
    /// request) is `.other` with the error's description, which never holds a body or credentials.
    public init(_ error: CurlError) {
        switch error.code {
        case .timedOut:
            self = .timeout
        case .couldntConnect, .couldntResolveHost, .tls, .send, .receive:
            self = .connectionFailed
        default:
            self = .other(error.description)
        }
    }
}
