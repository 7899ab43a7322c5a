public import Curl
public import Logging
public import Mail

/// Sends email through Postmark's `POST /email` and `POST /email/batch`, and turns every answer —
/// accepted, refused, rate-limited, timed out, unreadable — into a ``PostmarkSendResult`` whose
/// outcome ``ProviderErrorClassifier`` decided.
///
/// The methods never throw and never crash on what the network returns. The server token travels
/// only in the `X-Postmark-Server-Token` header: it is in no log line and no outcome reason.
/// The client is a cheap value over a shared ``CurlClient``; copy it freely.
public struct PostmarkClient: Sendable {
    /// The settings this client sends with.
    public let configuration: PostmarkConfiguration
    private let httpClient: CurlClient
    private let logger: Logger

    /// Creates a client that sends over `httpClient` (shared, so connections are reused across clients).
    /// Logs one debug line per HTTP call, with the endpoint, status and outcome in metadata.
    public init(configuration: PostmarkConfiguration, httpClient: CurlClient, logger: Logger = Logger(label: "herald.postmark")) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// The Postmark request for a composed email, on the configured message stream.
    public func request(for email: ComposedEmail) -> PostmarkEmailRequest {
        PostmarkEmailRequest(email, messageStream: configuration.messageStream)
    }

    /// Sends one email with `POST /email` (one HTTP call, bounded by the configured request timeout).
    public func send(_ email: PostmarkEmailRequest) async -> PostmarkSendResult {
        let result: PostmarkSendResult
        switch await post("/email", body: email.jsonBytes) {
        case .response(let response):
            result = Self.result(httpStatus: response.status, body: response.body)
        case .failed(let failure):
            result = PostmarkSendResult(outcome: ProviderErrorClassifier.classifyPostmark(transport: failure))
        }
        log(endpoint: "/email", httpStatus: result.httpStatus, results: [result])
        return result
    }

    /// Sends emails with `POST /email/batch`, at most ``PostmarkBatch/maximumMessages`` and
    /// ``PostmarkBatch/maximumBytes`` per call, up to ``PostmarkConfiguration/batchConcurrency``
    /// calls at once. Returns one result per email,
    /// in input order; an empty input makes no call.
    ///
    /// Each element's `ErrorCode` is classified on its own, so one bad message fails alone. A call
    /// that fails as a whole (HTTP 401, 429, 5xx, timeout, refused connection, unreadable answer)
    /// gives its outcome to every message of that call, and to no other.
    public func sendBatch(_ emails: [PostmarkEmailRequest]) async -> [PostmarkSendResult] {
        // Each message is encoded once; batches are cut by count and by body size (Postmark
        // refuses a batch body over 50 MB as a whole).
        let encoded = emails.map(\.jsonBytes)
        let chunks = PostmarkBatch.chunks(encoded).map { encoded[$0] }
        guard !chunks.isEmpty else { return [] }
        var results = [[PostmarkSendResult]](repeating: [], count: chunks.count)
        let width = min(max(1, configuration.batchConcurrency), chunks.count)
        await withTaskGroup(of: (Int, [PostmarkSendResult]).self) { group in
            for index in 0..<width {
                let chunk = chunks[index]
                group.addTask { (index, await self.sendChunk(chunk)) }
            }
            var next = width
            while let (index, chunkResults) = await group.next() {
                results[index] = chunkResults
                if next < chunks.count {
                    let (chunkIndex, chunk) = (next, chunks[next])
                    group.addTask { (chunkIndex, await self.sendChunk(chunk)) }
                    next += 1
                }
            }
        }
        return results.flatMap { $0 }
    }

    private func sendChunk(_ chunk: ArraySlice<[UInt8]>) async -> [PostmarkSendResult] {
        let results: [PostmarkSendResult]
        let httpStatus: Int?
        switch await post("/email/batch", body: PostmarkBatch.body(chunk)) {
        case .response(let response):
            results = Self.batchResults(httpStatus: response.status, body: response.body, count: chunk.count)
            httpStatus = response.status
        case .failed(let failure):
            let outcome = ProviderErrorClassifier.classifyPostmark(transport: failure)
            results = Array(repeating: PostmarkSendResult(outcome: outcome), count: chunk.count)
            httpStatus = nil
        }
        log(endpoint: "/email/batch", httpStatus: httpStatus, results: results)
        return results
    }

    private func post(_ path: String, body: [UInt8]) async -> ProviderExchange {
        let request = Curl.HTTPRequest(
            method: .POST,
            url: ProviderExchange.url(configuration.apiURL, path),
            headers: [
                HTTPHeader("Accept", "application/json"),
                HTTPHeader("Content-Type", "application/json"),
                HTTPHeader("X-Postmark-Server-Token", configuration.serverToken),
            ],
            body: body,
            timeout: configuration.requestTimeout
        )
        return await ProviderExchange.perform(request, on: httpClient)
    }

    private func log(endpoint: String, httpStatus: Int?, results: [PostmarkSendResult]) {
        guard logger.logLevel <= .debug else { return }
        let accepted = results.count { $0.outcome == .success }
        let permanent = results.count { $0.outcome.isPermanent }
        var metadata: Logger.Metadata = [
            "provider": "postmark", "endpoint": "\(endpoint)", "messages": "\(results.count)",
            "accepted": "\(accepted)", "retryable": "\(results.count - accepted - permanent)", "permanent": "\(permanent)",
        ]
        if let httpStatus { metadata["http.status"] = "\(httpStatus)" }
        if let reason = results.lazy.compactMap(\.outcome.reason).first { metadata["reason"] = "\(reason)" }
        logger.debug("Postmark call finished", metadata: metadata)
    }
}
