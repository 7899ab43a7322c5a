import HTTPTypes
import Hummingbird
import NIOCore
import Postgres
import Prometheus

extension HeraldServer {
    /// `GET /healthz`: 200 when the database answers within `healthCheckTimeout` (2 s), else 503.
    func health() async -> Response {
        await pool.isReachable(within: configuration.healthCheckTimeout)
            ? Self.text(.ok, "ok") : Self.text(.serviceUnavailable, "database unreachable")
    }

    /// `GET /metrics`: the Prometheus text exposition of the registry.
    func metrics() -> Response {
        guard let registry else { return Self.text(.notFound, "metrics are not enabled") }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}
