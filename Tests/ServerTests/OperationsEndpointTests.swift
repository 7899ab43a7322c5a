import Curl
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Postgres
import Prometheus
import Server
import Testing

@Suite("Health, metrics and admin over HTTP")
struct OperationsEndpointTests {
    @Test func healthzIs200WhenTheDatabaseAnswers() async throws {
        try await withServer("srv_health") { base, _, client in
            let response = try await get(client, base + "/healthz")
            #expect(response.status == 200)
            #expect(response.bodyString.contains("ok"))
        }
    }

    @Test func healthzIs503WithoutADatabase() async throws {
        // A pool pointing at a port where nothing listens.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(connectionString: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", applicationName: "t"),
            pool: .init(maximumConnections: 1, checkoutTimeout: .seconds(1)))
        let server = HeraldServer(configuration: testServerConfiguration(), pool: pool, logger: Logger(label: "t"))
        let client = CurlClient()
        let response = try await HeraldServer.withRunning(server) { server in try await get(client, await server.localURL + "/healthz") }
        client.shutdown()
        await pool.close()
        #expect(response.status == 503)
        #expect(!response.bodyString.contains("nobody"))
    }

    @Test func metricsExposeTheRegistry() async throws {
        try await withTestDatabase("srv_metrics") { db in
            let pool = db.pool()
            let registry = PrometheusCollectorRegistry()
            registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "herald_test", unitName: "total", helpText: "")).increment(by: Int64(3))
            let server = HeraldServer(configuration: testServerConfiguration(), pool: pool, registry: registry, logger: Logger(label: "t"))
            let client = CurlClient()
            let response = try await HeraldServer.withRunning(server) { server in try await get(client, await server.localURL + "/metrics") }
            client.shutdown()
            await pool.close()
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(response.bodyString.contains("herald_test_total 3"))
        }
    }

    @Test func adminPageEscapesWhatItShows() async throws {
        try await withServer("srv_admin") { base, pool, client in
            try await pool.query(
                """
                INSERT INTO herald_jobs (kind, state, args, attempt, errors, finished_at)
                VALUES ('email.send', 'failed', '{}', 3, '[{"attempt":3,"at":"x","error":"<script>alert(1)</script>"}]', now())
                """)
            try await pool.query(
                "INSERT INTO inbound_emails (from_email, subject, text_body, status) VALUES ('x@example.com', '<img src=x onerror=alert(1)>', 'hi', 'unmatched')")
            // The console's overview lists failing kinds with their last error, its discussions
            // page the replies not threaded (ConsoleTests covers every page).
            let response = try await get(client, base + "/admin")
            #expect(response.status == 200)
            let html = response.bodyString
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("email.send"))
            #expect(response.header("Content-Security-Policy") != nil)
            let cookie = try #require(response.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            let discussions = try await get(client, base + "/admin/discussions", headers: [HTTPHeader("Cookie", cookie)])
            #expect(discussions.bodyString.contains("&lt;img src=x onerror=alert(1)&gt;"))
        }
    }

    @Test func adminPageRefusesProxiedRequestsWithoutCredentials() async throws {
        try await withServer("srv_admin_proxied") { base, _, client in
            let forwarded = try await get(client, base + "/admin", headers: [HTTPHeader("X-Forwarded-For", "203.0.113.5")])
            let rfc7239 = try await get(client, base + "/admin", headers: [HTTPHeader("Forwarded", "for=203.0.113.5")])
            #expect(forwarded.status == 403)
            #expect(rfc7239.status == 403)
        }
    }

    @Test func adminPageNeedsCredentialsWhenConfigured() async throws {
        let configuration = testServerConfiguration(admin: .init(username: "ops", password: "secret-admin"))
        try await withServer("srv_admin_auth", configuration: configuration) { base, _, client in
            // A browser is sent to the console's login form; scripts may still use Basic auth.
            let anonymous = try await get(client, base + "/admin")
            #expect(anonymous.status == 303)
            #expect(anonymous.header("Location") == "/admin/login")
            let wrong = try await client.execute(HTTPRequest(url: base + "/admin", basicAuth: BasicAuth(username: "ops", password: "nope")))
            #expect(wrong.status == 303)
            let ok = try await client.execute(HTTPRequest(url: base + "/admin", basicAuth: BasicAuth(username: "ops", password: "secret-admin")))
            #expect(ok.status == 200)
        }
    }

    @Test func unknownRoutesAndMethodsLeakNothing() async throws {
        try await withServer("srv_404") { base, _, client in
            let response = try await get(client, base + "/webhooks/postmark")
            #expect(response.status >= 400 && response.status < 500)
            #expect(!response.bodyString.contains("HERALD_SECRET"))
        }
    }
}

@Suite("Request time limit")
struct RequestTimeoutTests {
    @Test func aRequestStuckOnTheDatabaseGets503() async throws {
        try await withTestDatabase("srv_timeout") { db in
            let pool = db.pool(maximumConnections: 1)
            var configuration = testServerConfiguration()
            configuration.requestTimeout = .milliseconds(300)
            let server = HeraldServer(configuration: configuration, pool: pool, logger: Logger(label: "t"))
            let client = CurlClient()
            let response = try await HeraldServer.withRunning(server) { server in
                let base = await server.localURL
                return try await withThrowingTaskGroup(of: Curl.HTTPResponse?.self) { group in
                    // Holds the only connection, so the admin page's queries wait.
                    group.addTask {
                        try await pool.withConnection { _ in try await Task.sleep(for: .seconds(2)) }
                        return nil
                    }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(100))
                        return try await get(client, base + "/admin")
                    }
                    var answer: Curl.HTTPResponse?
                    for try await result in group { if let result { answer = result } }
                    return answer
                }
            }
            client.shutdown()
            await pool.close()
            #expect(response?.status == 503)
            #expect(response?.bodyString.contains("too long") == true)
        }
    }
}
