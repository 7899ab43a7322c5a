import Curl

/// One HTTP exchange with a provider: the response (whatever its status), or why none came.
enum ProviderExchange: Sendable {
    case response(Curl.HTTPResponse)
    case failed(TransportFailure)

    /// Runs `request` on `client`. Never throws: every transport error becomes a ``TransportFailure``.
    static func perform(_ request: Curl.HTTPRequest, on client: CurlClient) async -> ProviderExchange {
        do {
            return .response(try await client.execute(request))
        } catch let error as CurlError {
            return .failed(TransportFailure(error))
        } catch {
            // Only the type name: an unknown error's description could carry anything.
            return .failed(.other("unexpected \(type(of: error))"))
        }
    }

    /// `base` without trailing slashes, followed by `path`.
    static func url(_ base: String, _ path: String) -> String {
        var base = Substring(base)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + path
    }
}
