import CCurl

/// What the driver thread hands back for a finished transfer; headers are parsed later, on the caller's
/// task, to keep the driver thread's per-transfer work small.
struct TransferResult: Sendable {
    var status: Int
    var newConnections: Int
    var headerBytes: [UInt8]
    var body: [UInt8]
}

/// One request in flight: its configured easy handle, header list, response buffers and continuation.
///
/// Ownership moves in one direction: the submitting task configures it, then (through the driver's lock)
/// the driver thread owns the handle, buffers and continuation. `continuation`, `cancelRequested` and
/// `taken` are only touched under the driver's lock until the driver has taken the transfer.
final class Transfer: @unchecked Sendable {
    let easy: EasyHandle
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Written by the write callback on the driver thread.
    var responseBody: [UInt8] = []
    /// The raw header block of the latest response; reset at each status line so that only the final
    /// response's headers survive (`100 Continue`, proxies).
    var responseHeaderBytes: [UInt8] = []

    /// Most bytes kept of the body, and of the header block (``CurlClient/Configuration/maxResponseBodySize``).
    let maxResponseSize: Int
    /// Set when a callback refused bytes past ``maxResponseSize``; libcurl then ends the transfer
    /// with `CURLE_WRITE_ERROR`, which this turns into `.responseTooLarge`.
    private(set) var responseTooLarge = false

    var continuation: CheckedContinuation<TransferResult, any Error>?
    var cancelRequested = false
    var taken = false

    /// Configures `easy` for `request`. On error the caller still owns `easy`.
    init(request: HTTPRequest, configuration: CurlClient.Configuration, easy: EasyHandle) throws(CurlError) {
        self.easy = easy
        self.maxResponseSize = max(0, configuration.maxResponseBodySize)
        try configure(request, configuration)
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Frees what libcurl no longer needs once the transfer is off the multi handle.
    func releaseRequestResources() {
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
    }

    /// Called by libcurl once per header line. A status line starts a new response, so interim (`1xx`)
    /// and proxy responses are dropped and only the final response's headers remain.
    /// - Returns: false (abort) when the header block would pass the limit.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Bool {
        if line.starts(with: "HTTP/".utf8) {
            responseHeaderBytes.removeAll(keepingCapacity: true)
        }
        guard line.count <= maxResponseSize - responseHeaderBytes.count else {
            responseTooLarge = true
            return false
        }
        responseHeaderBytes.append(contentsOf: line)
        return true
    }

    /// Called by libcurl with each piece of the body.
    /// - Returns: false (abort) when the body would pass the limit; nothing past it is kept.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard chunk.count <= maxResponseSize - responseBody.count else {
            responseTooLarge = true
            responseBody = []
            return false
        }
        responseBody.append(contentsOf: chunk)
        return true
    }

    /// The error for a transfer that libcurl ended with `code`.
    func failure(_ code: CURLcode) -> CurlError {
        // CURLE_FILESIZE_EXCEEDED: CURLOPT_MAXFILESIZE_LARGE refused a too-large Content-Length.
        if responseTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            responseBody = []
            return .responseTooLarge(limit: maxResponseSize, curlCode: Int32(bitPattern: code.rawValue))
        }
        return CurlError(curlCode: code, errorBuffer: easy.errorMessage)
    }

    func makeResult() -> TransferResult {
        let result = TransferResult(
            status: easy.info(CURLINFO_RESPONSE_CODE),
            newConnections: easy.info(CURLINFO_NUM_CONNECTS),
            headerBytes: responseHeaderBytes,
            body: responseBody
        )
        responseHeaderBytes = []
        responseBody = []
        return result
    }

    private func configure(_ request: HTTPRequest, _ configuration: CurlClient.Configuration) throws(CurlError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(easy.errorBuffer))
        try easy.set(CURLOPT_NOSIGNAL, 1)
        guard !request.url.utf8.contains(0) else {
            throw CurlError(code: .other, message: "invalid URL (contains NUL)")
        }
        try easy.set(CURLOPT_URL, request.url)
        try CurlError.check(ccurl_easy_allow_http_only(easy.raw), "curl_easy_setopt(PROTOCOLS)")
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.curlMilliseconds)
        try easy.set(CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.timeout).curlMilliseconds)
        try easy.set(CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0)
        try easy.set(CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0)
        if configuration.enableHTTP2 {
            try easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
            // Over TLS, wait for an HTTP/2 connection being set up rather than opening one per transfer.
            if request.url.utf8.prefix(8).map({ $0 | 0x20 }).elementsEqual("https://".utf8) {
                try easy.set(CURLOPT_PIPEWAIT, 1)
            }
        } else {
            try easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        }
        if !configuration.userAgent.isEmpty {
            try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        }
        if let auth = request.basicAuth {
            guard !auth.username.utf8.contains(0), !auth.password.utf8.contains(0) else {
                throw CurlError(code: .other, message: "invalid basic auth credentials (contain NUL)")
            }
            try easy.set(CURLOPT_HTTPAUTH, ccurl_auth_basic())
            try easy.set(CURLOPT_USERNAME, auth.username)
            try easy.set(CURLOPT_PASSWORD, auth.password)
        }
        if request.method != .HEAD {
            // Refuses a declared Content-Length over the limit before any body arrives (a HEAD
            // response declares the size of a body it does not send, so it is exempt).
            try easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(maxResponseSize))
        }
        try configureMethodAndBody(request)
        try configureHeaders(request)

        try easy.set(CURLOPT_WRITEFUNCTION, callback: { buffer, size, count, context in
            Transfer.deliver(buffer, size * count, to: context) { $0.receiveBody($1) }
        })
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: { buffer, size, count, context in
            Transfer.deliver(buffer, size * count, to: context) { $0.receiveHeaderLine($1) }
        })
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
    }

    /// The body of libcurl's write and header callbacks: hands the `length` bytes at `buffer` to
    /// `receive` on the transfer behind `context`, and answers libcurl with the count taken. A short
    /// count (0) makes libcurl abort the transfer (CURLE_WRITE_ERROR): `receive` returns false to stop it.
    private static func deliver(
        _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int, to context: UnsafeMutableRawPointer?,
        _ receive: (Transfer, UnsafeRawBufferPointer) -> Bool
    ) -> Int {
        guard let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        if length > 0, let buffer {
            guard receive(transfer, UnsafeRawBufferPointer(start: buffer, count: length)) else { return 0 }
        }
        return length
    }

    private func configureMethodAndBody(_ request: HTTPRequest) throws(CurlError) {
        switch request.method {
        case .GET:
            if !request.body.isEmpty {
                try setBody(request.body)
                try easy.set(CURLOPT_CUSTOMREQUEST, "GET")
            }
        case .HEAD:
            try easy.set(CURLOPT_NOBODY, 1)
        case .POST:
            try setBody(request.body)
        case .PUT, .PATCH:
            try setBody(request.body)
            try easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        case .DELETE:
            if !request.body.isEmpty {
                try setBody(request.body)
            }
            try easy.set(CURLOPT_CUSTOMREQUEST, "DELETE")
        }
    }

    /// Sets the body with COPYPOSTFIELDS: libcurl keeps its own copy for the transfer's lifetime, and a
    /// non-NULL pointer even for an empty body (NULL would make libcurl read the body from stdin).
    private func setBody(_ body: [UInt8]) throws(CurlError) {
        try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
        let result: CURLcode
        if body.isEmpty {
            var empty: UInt8 = 0
            result = withUnsafeMutablePointer(to: &empty) {
                ccurl_easy_setopt_pointer(easy.raw, CURLOPT_COPYPOSTFIELDS, $0)
            }
        } else {
            result = body.withUnsafeBytes {
                ccurl_easy_setopt_pointer(easy.raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
            }
        }
        try CurlError.check(result, "curl_easy_setopt(COPYPOSTFIELDS)")
    }

    private func configureHeaders(_ request: HTTPRequest) throws(CurlError) {
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + 1)
        var hasExpect = false
        for header in request.headers {
            lines.append(try HeaderCodec.requestLine(for: header))
            if header.name.equalsIgnoringASCIICase("Expect") { hasExpect = true }
        }
        // libcurl sends `Expect: 100-continue` for large bodies and then waits up to a second for
        // the interim response; our bodies are in memory, so send them straight away.
        if !request.body.isEmpty, !hasExpect, request.method != .HEAD {
            lines.append("Expect:")
        }
        guard !lines.isEmpty else { return }
        for line in lines {
            guard let list = curl_slist_append(headerList, line) else {
                throw CurlError(code: .other, message: "curl_slist_append failed (out of memory)")
            }
            headerList = list
        }
        try easy.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headerList))
    }
}
