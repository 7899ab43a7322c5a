import Foundation
import Logging
import Postgres
import Prometheus
import HTTPTypes
import Hummingbird
import NIOCore

extension HeraldServer {
    /// `GET /healthz`: 200 when the database answers within 2 s, else 503.
    func health() async -> Response {
        let pool = self.pool
        let healthy = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await pool.query("SELECT 1")) != nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
        return healthy ? Self.text(.ok, "ok") : Self.text(.serviceUnavailable, "database unreachable")
    }

    /// `GET /metrics`: the Prometheus text exposition of the registry.
    func metrics() -> Response {
        guard let registry else { return Self.text(.notFound, "metrics are not enabled") }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    /// `GET /admin`: with `HERALD_ADMIN_USER`/`PASSWORD` set, behind basic auth; without, only for
    /// loopback peers (the TCP peer itself) whose request carries no `X-Forwarded-For`/`Forwarded`.
    func admin(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        if let credentials = configuration.admin {
            guard Self.basicAuth(request, matches: credentials) else { return Self.unauthorized }
        } else {
            // A proxied request (a reverse proxy on the same host also connects from loopback)
            // carries forwarding headers: it is not a local operator.
            let peer = context.remoteAddress?.ipAddress ?? ""
            let proxied = request.headers[HTTPField.Name("X-Forwarded-For")!] != nil || request.headers[HTTPField.Name("Forwarded")!] != nil
            guard !proxied, peer == "127.0.0.1" || peer == "::1" || peer == "::ffff:127.0.0.1" else {
                return Self.text(.forbidden, "the admin page answers loopback clients only unless HERALD_ADMIN_USER/HERALD_ADMIN_PASSWORD are set")
            }
        }
        let counts = try await pool.query("SELECT kind, state, count(*)::bigint AS n FROM herald_jobs GROUP BY kind, state ORDER BY kind, state")
        let failed = try await pool.query(
            """
            SELECT id, kind, attempt, coalesce(to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS'), '') AS finished,
                   coalesce(errors -> -1 ->> 'error', '') AS last_error
              FROM herald_jobs WHERE state = 'failed' ORDER BY id DESC LIMIT 50
            """)
        let inbound = try await pool.query(
            """
            SELECT to_char(received_at, 'YYYY-MM-DD HH24:MI:SS') AS received, status || coalesce(' (' || reason || ')', '') AS status, from_email,
                   coalesce(subject, '') AS subject, coalesce(error, '') AS error, preview
              FROM herald_unmatched_inbound LIMIT 50
            """)
        let page = AdminPage(
            jobCounts: try counts.map { .init(kind: try $0.decode(String.self, column: "kind"), state: try $0.decode(String.self, column: "state"), count: try $0.decode(Int.self, column: "n")) },
            failedJobs: try failed.map {
                .init(id: try $0.decode(Int64.self, column: "id"), kind: try $0.decode(String.self, column: "kind"), attempt: try $0.decode(Int.self, column: "attempt"),
                      lastError: String(try $0.decode(String.self, column: "last_error").prefix(500)), finishedAt: try $0.decode(String.self, column: "finished"))
            },
            inbound: try inbound.map {
                .init(receivedAt: try $0.decode(String.self, column: "received"), status: try $0.decode(String.self, column: "status"),
                      from: try $0.decode(String.self, column: "from_email"), subject: try $0.decode(String.self, column: "subject"),
                      error: try $0.decode(String.self, column: "error"), preview: try $0.decode(String.self, column: "preview"))
            })
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page.render())))
    }
}
