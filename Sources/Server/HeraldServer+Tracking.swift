import Discussions
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import Metrics
import NIOCore
import Postgres
import Prometheus

extension HeraldServer {
    /// The transparent 1x1 GIF (43 bytes).
    static let pixelGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    /// `GET /t/<pixel>.gif`: the same GIF whatever the id; a known id's open is committed first.
    func pixel(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let file = context.parameters.get("file") ?? ""
        pixelHits.increment()
        if let id = TrackingPixelID(pixelPath: file) {
            do {
                try await recorder(for: id.rawValue).recordOpenFromRequest(trackingPixelId: id.rawValue, request: request, context: context, server: self)
            } catch {
                // The image is still served (no oracle, no broken image); the open is lost and logged.
                logger.warning("open not recorded", metadata: ["error": "\(error)"])
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/gif"
        headers[.cacheControl] = "no-store, no-cache, must-revalidate, max-age=0, private"
        headers[HTTPField.Name("Pragma")!] = "no-cache"
        headers[.expires] = "0"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.pixelGIF)))
    }

    /// `GET /c/<token>`: 302 to the signed URL after counting the click; 400 for any bad token.
    func click(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let click: ClickToken
        do {
            click = try ClickToken.verify(token, key: configuration.signingKey)
        } catch {
            return Self.text(.badRequest, "invalid or altered link")
        }
        do {
            try await recorder(for: click.trackingPixelID.rawValue).recordClick(
                trackingPixelId: click.trackingPixelID.rawValue, userAgent: request.headers[.userAgent], ip: clientIP(request, context: context))
        } catch {
            logger.warning("click not recorded", metadata: ["error": "\(error)"])
        }
        var headers = HTTPFields()
        // The URL was validated when signed: absolute http(s), no whitespace or control characters.
        headers[.location] = click.url
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .found, headers: headers)
    }
}

extension TrackingEventRecorder {
    /// recordOpenFromRequest: counts an open of `trackingPixelId` with the request's `User-Agent`
    /// and client IP (the peer, or `X-Forwarded-For` read through the server's trusted proxies).
    /// Returns once committed; true when the pixel belongs to a tracked email.
    @discardableResult
    func recordOpenFromRequest(
        trackingPixelId: String, request: Request, context: HeraldRequestContext, server: HeraldServer
    ) async throws -> Bool {
        try await recordOpen(
            trackingPixelId: trackingPixelId, userAgent: request.headers[.userAgent], ip: server.clientIP(request, context: context))
    }
}
