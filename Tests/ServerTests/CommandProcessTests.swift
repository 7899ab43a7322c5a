import Curl
import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Testing

/// `herald serve`, `herald sandbox` and `herald run` as the processes an operator starts: they come
/// up, answer over HTTP, refuse a bad configuration with a message naming the variable, and exit 0
/// on SIGTERM.
@Suite("herald serve, sandbox and run as processes")
struct CommandProcessTests {
    static let http = CurlClient()

    struct Started {
        var process: ChildProcess
        var log: String
        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    static func start(_ arguments: [String], environment extra: [String: String]) throws -> Started {
        let log = NSTemporaryDirectory() + "herald-cmd-\(UUID().uuidString).log"
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_LOG_LEVEL"] = "info"
        for (key, value) in extra { environment[key] = value }
        let process = try TestProcess.spawn(try TestProcess.heraldBinary(), arguments, environment: environment, stdout: .file(log), stderr: .file(log))
        return Started(process: process, log: log)
    }

    static func get(_ url: String) async -> HTTPResponse? {
        try? await http.execute(Curl.HTTPRequest(url: url, timeout: .seconds(5)))
    }

    /// Polls `url` until it answers (the process is listening) or 30 s pass.
    static func waitForHTTP(_ url: String) async -> HTTPResponse? {
        await waitForHTTP(url) { _ in true }
    }

    /// Polls `url` until an answer satisfies `accept` or 30 s pass; returns the last answer.
    static func waitForHTTP(_ url: String, until accept: (HTTPResponse) -> Bool) async -> HTTPResponse? {
        let deadline = ContinuousClock.now + .seconds(30) * testLoadFactor
        var last: HTTPResponse?
        while ContinuousClock.now < deadline {
            if let response = await get(url) {
                if accept(response) { return response }
                last = response
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    @Test("herald serve: healthz, metrics and the pixel answer; SIGTERM exits 0")
    func serve() async throws {
        try await withTestDatabase("serveproc") { db in
            let port = try TemporaryPostgres.freePort()
            let serve = try Self.start(["serve"], environment: [
                "HERALD_DATABASE_URL": db.configuration.connectionString, "HERALD_HTTP_PORT": String(port),
                "HERALD_SECRET": String(repeating: "s", count: 40), "HERALD_HTTP_REQUEST_TIMEOUT": "2",
                "HERALD_POSTMARK_WEBHOOK_USER": "postmark", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "webhook-password",
            ])
            defer { serve.process.killIfRunning() }
            let base = "http://127.0.0.1:\(port)"
            // A 503 is a right answer while the first connection is slow to open (its 2 s limit
            // is the product's, and a busy machine can pass it); the database answers in the end.
            let health = await Self.waitForHTTP(base + "/healthz") { $0.status == 200 }
            #expect(health?.status == 200, "\(serve.output)")
            let metrics = await Self.get(base + "/metrics")
            #expect(metrics?.status == 200)
            #expect(metrics?.bodyString.contains("herald_") == true)
            let pixel = await Self.get(base + "/t/unknownpixel.gif")
            #expect(pixel?.status == 200)
            #expect(pixel?.headers.first { $0.name.lowercased() == "content-type" }?.value == "image/gif")
            serve.process.send(SIGTERM)
            #expect(await serve.process.exitStatus() == 0, "\(serve.output)")
            #expect(!serve.output.contains(String(repeating: "s", count: 40)), "the secret never reaches the log")
            #expect(!serve.output.contains("webhook-password"))
        }
    }

    @Test("herald serve without HERALD_SECRET refuses to start and names the variable")
    func serveNeedsSecret() async throws {
        try await withTestDatabase("servesecret") { db in
            let serve = try Self.start(["serve", "--port", "0"], environment: [
                "HERALD_DATABASE_URL": db.configuration.connectionString, "HERALD_SECRET": "",
                "HERALD_POSTMARK_WEBHOOK_USER": "postmark", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "webhook-password",
            ])
            defer { serve.process.killIfRunning() }
            #expect(await serve.process.exitStatus() != 0)
            #expect(serve.output.contains("HERALD_SECRET"))
            #expect(!serve.output.contains("HERALD_POSTMARK_WEBHOOK"), "only the missing setting is named")
        }
    }

    @Test("herald sandbox: Postmark /email with its token is accepted, a wrong token refused; SIGTERM exits 0")
    func sandbox() async throws {
        let port = try TemporaryPostgres.freePort()
        let sandbox = try Self.start(["sandbox", "--port", String(port)], environment: [:])
        defer { sandbox.process.killIfRunning() }
        let base = "http://127.0.0.1:\(port)"
        _ = await Self.waitForHTTP(base + "/email")
        let token = try #require(sandbox.output.split(separator: "\n").first { $0.contains("POSTMARK_SERVER_TOKEN=") }?
            .split(separator: "=", maxSplits: 1).last.map(String.init), "\(sandbox.output)")
        let body = Array(#"{"From": "a@example.com", "To": "b@example.com", "Subject": "Hi", "TextBody": "Hello"}"#.utf8)
        func send(_ token: String) async throws -> HTTPResponse {
            try await Self.http.execute(Curl.HTTPRequest(
                method: .POST, url: base + "/email",
                headers: [HTTPHeader("Accept", "application/json"), HTTPHeader("Content-Type", "application/json"),
                          HTTPHeader("X-Postmark-Server-Token", token)],
                body: body))
        }
        let accepted = try await send(token)
        #expect(accepted.status == 200)
        #expect(accepted.bodyString.contains(#""ErrorCode":0"#))
        let refused = try await send("not-the-token")
        #expect(refused.status == 401)
        sandbox.process.send(SIGTERM)
        #expect(await sandbox.process.exitStatus() == 0, "\(sandbox.output)")
    }

    @Test("herald run --sandbox: an urgent notification inserted with SQL is emailed; the server answers; SIGTERM exits 0")
    func run() async throws {
        try await withTestDatabase("runproc") { db in
            let pool = db.pool(maximumConnections: 2)
            let user = UUID()
            try await pool.query(
                "INSERT INTO notification_preferences (user_id, tenant_id, email) VALUES ($1, $2, 'run@example.com')", [user, UUID()])
            let port = try TemporaryPostgres.freePort()
            let run = try Self.start(["run", "--sandbox", "--port", String(port), "--queues", "default:10"], environment: [
                "HERALD_DATABASE_URL": db.configuration.connectionString,
            ])
            defer { run.process.killIfRunning() }
            #expect(await Self.waitForHTTP("http://127.0.0.1:\(port)/healthz")?.status == 200, "\(run.output)")
            let id = try await pool.query(
                "SELECT herald_notify(p.tenant_id, p.user_id, 'task.assigned', 'urgent', '{\"task_title\": \"Ship\"}') AS id FROM notification_preferences p WHERE user_id = $1",
                [user])[0].decode(UUID.self, column: "id")
            let sent = await eventually(timeout: .seconds(30)) {
                try await pool.query("SELECT email_sent_at IS NOT NULL AS sent FROM notifications WHERE id = $1", [id])[0].decode(Bool.self, column: "sent")
            }
            #expect(sent, "\(run.output)")
            run.process.send(SIGTERM)
            #expect(await run.process.exitStatus() == 0, "\(run.output)")
            await pool.close()
        }
    }
}
