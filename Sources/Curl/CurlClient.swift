/// An async HTTP client over libcurl: one multi handle, driven by its own thread, runs every transfer.
///
/// Many requests may be in flight at once; connections are kept alive and reused across requests
/// (HTTP/2 multiplexed when the server offers it over TLS). Blocking libcurl work never runs on
/// Swift's cooperative thread pool. Call ``shutdown()`` when done (deinit does it too).
public final class CurlClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration
    private let driver: MultiDriver

    /// Creates the client and starts its driver thread. Initialises libcurl once per process.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.driver = MultiDriver(configuration: configuration)
    }

    deinit {
        driver.shutdown()
    }

    /// Runs the transfer on the client's multi handle. HTTP error statuses are returned, not thrown.
    ///
    /// Throws ``CurlError`` on transport failure (timeout, refused connection, DNS, TLS), with code
    /// `.cancelled` when the calling Task is cancelled (the transfer is aborted), and `.shutdown`
    /// after ``shutdown()``.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let easy = try driver.makeEasyHandle()
        let transfer: Transfer
        do {
            transfer = try Transfer(request: request, configuration: configuration, easy: easy)
        } catch {
            driver.recycle(easy)
            throw error
        }
        let driver = self.driver
        let result = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                driver.submit(transfer, continuation)
            }
        } onCancel: {
            driver.cancel(transfer)
        }
        return HTTPResponse(
            status: result.status,
            headers: HeaderCodec.parseResponseHeaders(result.headerBytes),
            body: result.body,
            newConnections: result.newConnections
        )
    }

    /// Stops the driver thread; pending and later requests fail with ``CurlError`` code `.shutdown`.
    /// Idempotent. Returns once the thread has exited (unless another call is already waiting for it).
    public func shutdown() {
        driver.shutdown()
    }
}
