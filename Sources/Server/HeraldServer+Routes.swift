import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HeraldServer {
    /// Every route, in route groups: each group's middleware authenticates its callers and bounds
    /// its requests in time, so a handler only parses, calls a service and answers.
    ///
    /// | group | middleware, outermost first | routes |
    /// |---|---|---|
    /// | (none) | — | `GET /t/<pixel>.gif` (before the metrics middleware) |
    /// | router | `MetricsMiddleware` | everything below, `GET /metrics`, `/admin/static/…` |
    /// | public | refusals, timeout | `GET /c/<token>`, `GET`/`POST /u/<token>`, `GET /healthz` |
    /// | `/webhooks/postmark` | refusals, basic auth + required identity (401), timeout | `POST` (request timeout), `POST inbound` (inbound timeout) |
    /// | `/webhooks/twilio` | refusals, timeout, signature (503/413/400/403) | `POST status` |
    /// | `/admin` | refusals, timeout, console session | login, logout; pages (anonymous: 303 to the login), fragments (401), actions (form, CSRF, operator role: 403) |
    func addRoutes(to router: Router<HeraldRequestContext>) {
        // The pixel is the hot path: it skips the timeout (two child tasks per hit; its only wait is
        // its batch's commit, bounded by the database, and stalled connections are closed by the
        // idle timeout) and the per-route HTTP metrics (it counts herald_tracking_pixel_hits_total).
        router.get("/t/{file}") { [self] request, context in
            try await self.pixel(request, context: context)
        }
        // hb_requests / hb_request_duration per route and status for every route added after it,
        // into whatever swift-metrics backend the process bootstrapped (Prometheus in `herald serve`).
        router.add(middleware: MetricsMiddleware())

        let anyone = router.group()
            .add(middleware: RefusalMiddleware())
            .add(middleware: RequestTimeoutMiddleware(timeout: configuration.requestTimeout))
        anyone.get("/c/{token}") { [self] request, context in try await self.click(request, context: context) }
        anyone.get("/u/{token}") { [self] request, context in try await self.unsubscribePage(request, context: context) }
        anyone.post("/u/{token}") { [self] request, context in try await self.unsubscribe(request, context: context) }
        anyone.get("/healthz") { [self] _, _ in await self.health() }
        router.get("/metrics") { [self] _, _ in self.metrics() }

        addPostmarkRoutes(to: router)
        addTwilioRoutes(to: router)
        addConsoleRoutes(to: router)
    }

    /// `/webhooks/postmark`: Postmark's basic-auth login, checked before the body is read.
    private func addPostmarkRoutes(to router: Router<HeraldRequestContext>) {
        let postmark = router.group("/webhooks/postmark", context: PostmarkWebhookContext.self)
            .add(middleware: RefusalMiddleware())
            .add(middleware: PostmarkWebhookAuthenticator(credentials: configuration.postmarkWebhook))
            .add(middleware: RequireIdentityMiddleware { HeraldServer.unauthorized })
        postmark.group()
            .add(middleware: RequestTimeoutMiddleware(timeout: configuration.requestTimeout))
            .post { [self] request, context in try await self.postmarkWebhook(request, context: context) }
        // Replies with attachments are large (Postmark allows 35 MB of files, about 47 MB as
        // base64 JSON) and take longer to upload: the route has its own limits.
        postmark.group("inbound")
            .add(middleware: RequestTimeoutMiddleware(timeout: configuration.inboundRequestTimeout))
            .post { [self] request, context in try await self.postmarkInbound(request, context: context) }
    }

    /// `/webhooks/twilio`: the request signature, checked over the body it reads (so inside the timeout).
    private func addTwilioRoutes(to router: Router<HeraldRequestContext>) {
        router.group("/webhooks/twilio", context: TwilioWebhookContext.self)
            .add(middleware: RefusalMiddleware())
            .add(middleware: RequestTimeoutMiddleware(timeout: configuration.requestTimeout))
            .add(middleware: TwilioSignatureAuthenticator(
                authToken: configuration.twilioAuthToken, publicURL: configuration.publicURL, maximumBodySize: configuration.maximumBodySize))
            .post("status") { [self] request, context in try await self.twilioStatus(request, context: context) }
    }

    /// The body, at most `maximumBodySize` bytes (413 beyond).
    func body(of request: Request) async throws -> [UInt8] {
        Array(try await request.boundedBody(limit: configuration.maximumBodySize).readableBytesView)
    }

    /// The client IP (see ``ClientAddressResolver``).
    func clientIP(_ request: Request, context: some RemoteAddressRequestContext) -> String? {
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
