import Foundation
import HTTPTypes
import HeraldJSON
import Hummingbird
import NIOCore

/// Response and request helpers shared by the Postmark and Twilio handlers.
extension SandboxProviders {
    /// Postmark accepts up to 50 MB per call; the same cap serves Twilio.
    static let maxBodySize = 50 * 1024 * 1024

    static let postmarkTokenHeader = HTTPField.Name("X-Postmark-Server-Token")

    static func json(status: Int, _ value: some Encodable) -> Response {
        let bytes: Data
        do {
            bytes = try JSONEncoder().encode(value)
        } catch {
            return Response(status: .internalServerError)
        }
        return json(status: status, bytes: bytes)
    }

    /// A JSON response written by `body` (the Postmark answers; no encoder, no failure path).
    static func json(status: Int, writing body: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter()
        body(&writer)
        return json(status: status, bytes: writer.bytes)
    }

    static func json(status: Int, bytes: some Sequence<UInt8>) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// Counts the request, waits the response delay (async sleep), and returns an injected failure, if any.
    func begin(_ endpoint: SandboxEndpoint) async throws -> SandboxFailure? {
        let (delay, failure) = state.beginRequest(endpoint)
        if delay > .zero { try await Task.sleep(for: delay) }
        return failure
    }

    /// The body bytes, or nil when it is longer than `limit`. The rest of a longer body is read
    /// and dropped, so the client's upload completes and the connection ends cleanly.
    static func boundedBody(_ request: Request, limit: Int) async throws -> [UInt8]? {
        var bytes: [UInt8] = []
        var tooLarge = false
        for try await buffer in request.body {
            if tooLarge { continue }
            if bytes.count + buffer.readableBytes > limit {
                tooLarge = true
                bytes = []
                continue
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return tooLarge ? nil : bytes
    }

    /// `bytes` parsed as JSON, or nil when it is not JSON (RFC 8259, strictly).
    static func json(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONValue(parsing: bytes)
    }

    static func collectBody(_ request: Request) async throws -> Data {
        let buffer = try await request.body.collect(upTo: maxBodySize)
        return Data(buffer.readableBytesView)
    }

    static func header(_ request: Request, _ name: HTTPField.Name?) -> String? {
        guard let name else { return nil }
        return request.headers[name]
    }

    /// Constant-time comparison of secrets, so timing does not reveal how much of a token matched.
    static func secretsEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    func addControlRoutes(to router: Router<BasicRequestContext>) {
        router.get("/_sandbox/health") { _, _ in "ok" }
        let capture: @Sendable (Request, BasicRequestContext) async throws -> Response = { [state] request, _ in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let body = try await request.body.collect(upTo: Self.maxBodySize)
            state.capture(
                SandboxCapturedRequest(
                    path: request.uri.description, headers: headers, body: Array(body.readableBytesView),
                    receivedAt: Date()))
            return Response(status: .noContent)
        }
        router.post("/_sandbox/capture", use: capture)
        router.post("/_sandbox/capture/**", use: capture)
        router.get("/_sandbox/stats") { [state] _, _ in
            let counters = state.counters
            return Self.json(
                status: 200,
                [
                    "emailRequests": counters.emailRequests, "batchRequests": counters.batchRequests,
                    "smsRequests": counters.smsRequests, "emailsAccepted": counters.emailsAccepted,
                    "smsAccepted": counters.smsAccepted,
                ])
        }
    }
}
