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
            try await limited { try await self.postmarkInbound(request, context: context) }
        }
        router.post("/webhooks/twilio/status") { [self] request, context in
            try await limited { try await self.twilioStatus(request, context: context) }
        }
        router.get("/healthz") { [self] _, _ in
            try await limited { await self.health() }
        }
        router.get("/metrics") { [self] _, _ in
            self.metrics()
        }
        addConsoleRoutes(to: router)
    }

    /// Runs `operation`, answering 503 when it takes longer than the request timeout.
    func limited(_ operation: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let timeout = configuration.requestTimeout
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
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maximumBodySize)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(configuration.maximumBodySize) bytes")
        }
        return Array(buffer.readableBytesView)
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
