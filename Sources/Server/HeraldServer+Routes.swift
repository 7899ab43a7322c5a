import Foundation
import Logging
import Postgres
import Prometheus
import HTTPTypes
import Hummingbird
import NIOCore

extension HeraldServer {
    /// Every route, each bounded by the request timeout.
    func addRoutes(to router: Router<HeraldRequestContext>) {
        // The pixel is the hot path: it skips the timeout wrapper (two child tasks per hit; its only
        // wait is its batch's commit, bounded by the database, and stalled connections are closed by
        // the idle timeout) and the per-route HTTP metrics (it counts herald_tracking_pixel_hits_total).
        router.get("/t/{file}") { [self] request, context in
            try await self.pixel(request, context: context)
        }
        // hb_requests / hb_request_duration per route and status for every other route, into whatever
        // swift-metrics backend the process bootstrapped (Prometheus in `herald serve`).
        router.add(middleware: MetricsMiddleware())
        router.get("/c/{token}") { [self] request, context in
            try await limited { try await self.click(request, context: context) }
        }
        router.post("/webhooks/postmark") { [self] request, context in
            try await limited { try await self.postmarkWebhook(request, context: context) }
        }
        router.post("/webhooks/postmark/inbound") { [self] request, context in
            // Replies with attachments are large (Postmark allows 35 MB of files, about 47 MB as
            // base64 JSON) and take longer to upload: the route has its own limits.
            try await limited(timeout: configuration.inboundRequestTimeout) { try await self.postmarkInbound(request, context: context) }
        }
        router.post("/webhooks/twilio/status") { [self] request, context in
            try await limited { try await self.twilioStatus(request, context: context) }
        }
        addUnsubscribeRoutes(to: router)
        router.get("/healthz") { [self] _, _ in
            try await limited { await self.health() }
        }
        router.get("/metrics") { [self] _, _ in
            self.metrics()
        }
        addConsoleRoutes(to: router)
    }

    /// Runs `operation`, answering 503 when it takes longer than the request timeout.
    func limited(timeout: Duration? = nil, _ operation: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let timeout = timeout ?? configuration.requestTimeout
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw HTTPError(.serviceUnavailable, message: "the request took too long")
            }
            return response
        }
    }

    /// The body, at most `maximumBodySize` bytes (413 beyond).
    func body(of request: Request) async throws -> [UInt8] {
        let buffer = try await bodyBuffer(of: request, limit: configuration.maximumBodySize)
        return Array(buffer.readableBytesView)
    }

    /// The body as one buffer of at most `limit` bytes (413 beyond, before reading anything when
    /// `Content-Length` says so). When `Content-Length` is given, the buffer is allocated once at
    /// that size, so a large body is never copied while it grows.
    func bodyBuffer(of request: Request, limit: Int) async throws -> ByteBuffer {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > limit {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(limit) bytes")
        }
        var buffer = ByteBufferAllocator().buffer(capacity: min(max(declared ?? 0, 0), limit))
        do {
            try await request.body.collect(upTo: limit, into: &buffer)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(limit) bytes")
        }
        return buffer
    }

    /// The client IP (see ``ClientAddressResolver``).
    func clientIP(_ request: Request, context: HeraldRequestContext) -> String? {
        let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!].joined(separator: ",")
        return resolver.clientAddress(peer: context.remoteAddress?.ipAddress, forwardedFor: forwarded.isEmpty ? nil : forwarded)
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
