import Curl
import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Testing

/// Every `herald` command (serve, work, run, sandbox, demo, migrate, stats, jobs, enqueue), run as
/// an operator runs it at `HERALD_LOG_LEVEL=trace` with distinctive secrets in its environment,
/// prints none of them on stdout or stderr: not the token signing key, the provider tokens, the
/// webhook and console passwords, a password in a provider URL, nor the database password in a
/// `postgres://` URL or a `password=` conninfo.
@Suite("No secret in any log line")
struct SecretLogTests {
    /// One distinctive value per secret; a test fails if any of them, or a basic-auth header built
    /// from them, shows up in a command's output.
    struct Secrets {
        let tag = UUID().uuidString.prefix(8).lowercased()
        var role: String { "herald_secret_\(tag)" }
        var database: String { "DbPassw0rd\(tag)Zq" }
        var signingKey: String { "HeraldSecretKey-\(tag)-0123456789abcdef0123456789" }
        var postmarkToken: String { "PostmarkToken\(tag)Xy" }
        var twilioToken: String { "TwilioAuthToken\(tag)Wv" }
        var webhookPassword: String { "WebhookPassw0rd\(tag)Uu" }
        var adminPassword: String { "AdminPassw0rd\(tag)Tt" }
        var readOnlyPassword: String { "ReadOnlyPassw0rd\(tag)Ss" }
        var urlPassword: String { "UrlPassw0rd\(tag)Rr" }

        /// Name and value of every secret, and the basic-auth headers that carry them.
        var all: [(String, String)] {
            [
                ("database password", database), ("HERALD_SECRET", signingKey), ("POSTMARK_SERVER_TOKEN", postmarkToken),
                ("TWILIO_AUTH_TOKEN", twilioToken), ("HERALD_POSTMARK_WEBHOOK_PASSWORD", webhookPassword),
                ("HERALD_ADMIN_PASSWORD", adminPassword), ("HERALD_ADMIN_READONLY_PASSWORD", readOnlyPassword),
                ("password in TWILIO_API_URL", urlPassword),
                ("webhook basic auth", Self.basic("postmark", webhookPassword)), ("admin basic auth", Self.basic("admin", adminPassword)),
                ("twilio basic auth", Self.basic(Self.accountSID, twilioToken)),
            ]
        }

        static let accountSID = "AC" + String(repeating: "0123456789abcdef", count: 2)

        static func basic(_ user: String, _ password: String) -> String {
            Data("\(user):\(password)".utf8).base64EncodedString()
        }
    }

    /// A test database reached through a role with a password, in URL and in conninfo form.
    struct Database {
        let test: TestDatabase
        let url: String
        let conninfo: String
    }

    /// Creates a superuser role with the secret password (the throwaway cluster trusts loopback, so
    /// the password is carried, not checked) and runs `body` with URLs that use it.
    static func withSecretDatabase(_ secrets: Secrets, _ body: (Database) async throws -> Void) async throws {
        try await withTestDatabase("secretlog") { db in
            let admin = try await PostgresConnection.connect(configuration: db.adminConfiguration)
            // Identifier and literal built here from a UUID fragment and fixed text only.
            try await admin.execute("CREATE ROLE \(secrets.role) LOGIN SUPERUSER PASSWORD '\(secrets.database)'")
            let parsed = try #require(URLComponents(string: db.configuration.connectionString))
            let host = parsed.host ?? "127.0.0.1"
            let port = parsed.port ?? 5432
            let url = "postgres://\(secrets.role):\(secrets.database)@\(host):\(port)/\(db.name)"
            let conninfo = "host=\(host) port=\(port) dbname=\(db.name) user=\(secrets.role) password='\(secrets.database)'"
            do {
                try await body(Database(test: db, url: url, conninfo: conninfo))
            } catch {
                await db.drop()
                try? await admin.execute("DROP ROLE IF EXISTS \(secrets.role)")
                await admin.close()
                throw error
            }
            await db.drop()
            try? await admin.execute("DROP ROLE IF EXISTS \(secrets.role)")
            await admin.close()
        }
    }

    /// The environment of a production-like process: every secret set, no sandbox.
    static func environment(_ secrets: Secrets, database: String, port: Int? = nil) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("HERALD_") || key.hasPrefix("POSTMARK_") || key.hasPrefix("TWILIO_") {
            if key != "HERALD_BIN" { environment[key] = nil }
        }
        environment["DATABASE_URL"] = nil
        let values: [String: String] = [
            "HERALD_LOG_LEVEL": "trace",
            "HERALD_DATABASE_URL": database,
            "HERALD_SECRET": secrets.signingKey,
            "POSTMARK_SERVER_TOKEN": secrets.postmarkToken,
            // Nothing listens there: no email is sent by these tests.
            "POSTMARK_API_URL": "http://127.0.0.1:9",
            "TWILIO_ACCOUNT_SID": Secrets.accountSID,
            "TWILIO_AUTH_TOKEN": secrets.twilioToken,
            "TWILIO_FROM": "+15005550006",
            "TWILIO_API_URL": "http://twilio:\(secrets.urlPassword)@127.0.0.1:9",
            "HERALD_POSTMARK_WEBHOOK_USER": "postmark",
            "HERALD_POSTMARK_WEBHOOK_PASSWORD": secrets.webhookPassword,
            "HERALD_ADMIN_USER": "admin",
            "HERALD_ADMIN_PASSWORD": secrets.adminPassword,
            "HERALD_ADMIN_READONLY_USER": "viewer",
            "HERALD_ADMIN_READONLY_PASSWORD": secrets.readOnlyPassword,
            "HERALD_SHUTDOWN_GRACE_SECONDS": "2",
        ]
        environment.merge(values) { $1 }
        if let port {
            environment["HERALD_HTTP_PORT"] = String(port)
            environment["HERALD_PUBLIC_URL"] = "http://127.0.0.1:\(port)"
        }
        return environment
    }

    /// A `herald` process with stdout and stderr in files of their own.
    struct Command {
        let arguments: [String]
        let process: ChildProcess
        let stdout: String
        let stderr: String

        static func start(_ arguments: [String], environment: [String: String]) throws -> Command {
            let base = NSTemporaryDirectory() + "herald-secretlog-\(UUID().uuidString)"
            let process = try TestProcess.spawn(
                try TestProcess.heraldBinary(), arguments, environment: environment,
                stdout: .file(base + ".out"), stderr: .file(base + ".err"))
            return Command(arguments: arguments, process: process, stdout: base + ".out", stderr: base + ".err")
        }

        /// Runs a one-shot command to its end (killed after 60 s).
        static func run(_ arguments: [String], environment: [String: String]) async throws -> Command {
            let command = try start(arguments, environment: environment)
            let finished = await eventually(timeout: .seconds(60)) { command.process.exitStatusIfExited() != nil }
            if !finished { command.process.killIfRunning() }
            return command
        }

        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

        /// True when the process logged below info level, i.e. the test saw what trace logging prints.
        var loggedVerbosely: Bool { read(stderr).contains(" debug ") || read(stderr).contains(" trace ") }
        var output: String { read(stdout) + read(stderr) }

        /// Records an issue for every secret found in stdout or stderr, naming the secret and the line.
        func expectNoSecret(_ secrets: Secrets, sourceLocation: SourceLocation = #_sourceLocation) {
            let name = "herald " + arguments.joined(separator: " ")
            for (stream, path) in [("stdout", stdout), ("stderr", stderr)] {
                let text = read(path)
                for (secret, value) in secrets.all {
                    let lines = text.split(separator: "\n").filter { $0.contains(value) }
                    #expect(lines.isEmpty, "\(name) printed \(secret) on \(stream): \(lines.prefix(3).joined(separator: "\n"))",
                            sourceLocation: sourceLocation)
                }
            }
            try? FileManager.default.removeItem(atPath: stdout)
            try? FileManager.default.removeItem(atPath: stderr)
        }
    }

    static func request(
        _ url: String, method: Curl.HTTPMethod = .GET, auth: BasicAuth? = nil, headers: [HTTPHeader] = [], body: String = ""
    ) async -> Curl.HTTPResponse? {
        try? await CommandProcessTests.http.execute(Curl.HTTPRequest(
            method: method, url: url, headers: headers, body: Array(body.utf8), basicAuth: auth, timeout: .seconds(5)))
    }

    /// The HTTP side's routes that take secrets: the console logins, the Postmark webhook's basic
    /// auth and a Twilio callback (its signature is keyed with the auth token).
    static func exerciseServer(_ base: String, _ secrets: Secrets) async {
        #expect(await CommandProcessTests.waitForHTTP(base + "/healthz")?.status == 200)
        #expect(await request(base + "/admin", auth: BasicAuth(username: "admin", password: secrets.adminPassword))?.status == 200)
        #expect(await request(base + "/admin", auth: BasicAuth(username: "viewer", password: secrets.readOnlyPassword))?.status == 200)
        #expect(await request(base + "/admin", auth: BasicAuth(username: "admin", password: "wrong"))?.status != 200)
        let delivery = #"{"RecordType": "Delivery", "MessageID": "00000000-0000-0000-0000-000000000000", "Recipient": "a@example.com"}"#
        _ = await request(base + "/webhooks/postmark", method: .POST, auth: BasicAuth(username: "postmark", password: secrets.webhookPassword),
                          headers: [HTTPHeader("Content-Type", "application/json")], body: delivery)
        _ = await request(base + "/webhooks/twilio/status", method: .POST, headers: [
            HTTPHeader("Content-Type", "application/x-www-form-urlencoded"), HTTPHeader("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl"),
        ], body: "MessageSid=SM00000000000000000000000000000000&MessageStatus=delivered")
        _ = await request(base + "/metrics")
    }

    /// Enqueues a no-op job with `herald enqueue` and waits until a worker has completed it.
    static func enqueueAndAwaitNoop(_ db: Database, _ environment: [String: String], _ secrets: Secrets) async throws {
        let enqueue = try await Command.run(["enqueue", "herald.noop"], environment: environment)
        #expect(enqueue.process.exitStatusIfExited() == 0, "\(enqueue.output)")
        enqueue.expectNoSecret(secrets)
        let pool = db.test.pool(maximumConnections: 1)
        let done = await eventually(timeout: .seconds(30)) {
            try await pool.query("SELECT count(*) AS n FROM herald_jobs WHERE kind = 'herald.noop' AND state = 'completed'")[0]
                .decode(Int64.self, column: "n") > 0
        }
        await pool.close()
        #expect(done, "the worker completed the job")
    }

    @Test("herald serve: start, console logins, webhooks, SIGTERM")
    func serve() async throws {
        let secrets = Secrets()
        try await Self.withSecretDatabase(secrets) { db in
            let port = try TemporaryPostgres.freePort()
            let serve = try Command.start(["serve"], environment: Self.environment(secrets, database: db.url, port: port))
            defer { serve.process.killIfRunning() }
            await Self.exerciseServer("http://127.0.0.1:\(port)", secrets)
            serve.process.send(SIGTERM)
            #expect(await serve.process.exitStatus() == 0, "\(serve.output)")
            #expect(serve.loggedVerbosely)
            serve.expectNoSecret(secrets)
        }
    }

    @Test("herald work: start, run an enqueued job, SIGTERM; enqueue and jobs as one-shot commands")
    func work() async throws {
        let secrets = Secrets()
        try await Self.withSecretDatabase(secrets) { db in
            let environment = Self.environment(secrets, database: db.url)
            let work = try Command.start(["work"], environment: environment)
            defer { work.process.killIfRunning() }
            try await Self.enqueueAndAwaitNoop(db, environment, secrets)
            for arguments in [["jobs", "list"], ["jobs", "stats"], ["jobs", "show", "1"]] {
                try await Command.run(arguments, environment: environment).expectNoSecret(secrets)
            }
            work.process.send(SIGTERM)
            #expect(await work.process.exitStatus() == 0, "\(work.output)")
            #expect(work.loggedVerbosely)
            work.expectNoSecret(secrets)
        }
    }

    @Test("herald run: worker and server in one process, SIGTERM")
    func run() async throws {
        let secrets = Secrets()
        try await Self.withSecretDatabase(secrets) { db in
            let port = try TemporaryPostgres.freePort()
            let environment = Self.environment(secrets, database: db.url, port: port)
            let run = try Command.start(["run"], environment: environment)
            defer { run.process.killIfRunning() }
            await Self.exerciseServer("http://127.0.0.1:\(port)", secrets)
            try await Self.enqueueAndAwaitNoop(db, environment, secrets)
            run.process.send(SIGTERM)
            #expect(await run.process.exitStatus() == 0, "\(run.output)")
            #expect(run.loggedVerbosely)
            run.expectNoSecret(secrets)
        }
    }

    @Test("herald sandbox: start, an API call, SIGTERM")
    func sandbox() async throws {
        let secrets = Secrets()
        let port = try TemporaryPostgres.freePort()
        let sandbox = try Command.start(["sandbox", "--port", String(port)], environment: Self.environment(secrets, database: ""))
        defer { sandbox.process.killIfRunning() }
        let base = "http://127.0.0.1:\(port)"
        _ = await CommandProcessTests.waitForHTTP(base + "/email")
        let body = #"{"From": "a@example.com", "To": "b@example.com", "Subject": "Hi", "TextBody": "Hello"}"#
        let sent = await Self.request(base + "/email", method: .POST, headers: [
            HTTPHeader("Accept", "application/json"), HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("X-Postmark-Server-Token", "sandbox-postmark-token"),
        ], body: body)
        #expect(sent?.status == 200)
        sandbox.process.send(SIGTERM)
        #expect(await sandbox.process.exitStatus() == 0, "\(sandbox.output)")
        #expect(sandbox.loggedVerbosely)
        sandbox.expectNoSecret(secrets)
    }

    @Test("herald demo: its own throwaway database and sandbox, with the console passwords from the environment")
    func demo() async throws {
        let secrets = Secrets()
        let demo = try await Command.run(["demo"], environment: Self.environment(secrets, database: ""))
        #expect(demo.process.exitStatusIfExited() == 0, "\(demo.output)")
        #expect(demo.loggedVerbosely)
        demo.expectNoSecret(secrets)
    }

    @Test("one-shot commands with the password in a URL and in a conninfo string: migrate, stats, jobs, enqueue")
    func oneShot() async throws {
        let secrets = Secrets()
        try await Self.withSecretDatabase(secrets) { db in
            for database in [db.url, db.conninfo] {
                let environment = Self.environment(secrets, database: database)
                let commands = [
                    ["migrate"], ["migrate", "--status"], ["stats", "thread", UUID().uuidString], ["jobs", "list"], ["jobs", "stats"],
                    ["enqueue", "herald.noop", "--args", "{}"],
                ]
                for arguments in commands {
                    let command = try await Command.run(arguments, environment: environment)
                    #expect(command.process.exitStatusIfExited() != nil, "herald \(arguments.joined(separator: " ")) ended")
                    command.expectNoSecret(secrets)
                }
            }
        }
    }

    @Test("failures print no secret either: an unreachable database, a configuration refused after reading the secrets")
    func failures() async throws {
        let secrets = Secrets()
        let unreachable = "postgres://\(secrets.role):\(secrets.database)@127.0.0.1:\(try TemporaryPostgres.freePort())/nowhere"
        for arguments in [["jobs", "list"], ["migrate"]] {
            let command = try await Command.run(arguments, environment: Self.environment(secrets, database: unreachable))
            #expect(command.process.exitStatusIfExited() != 0, "herald \(arguments.joined(separator: " ")) fails: \(command.output)")
            command.expectNoSecret(secrets)
        }
        // A worker keeps retrying an unreachable database (and logs each failure) until SIGTERM.
        let work = try Command.start(["work"], environment: Self.environment(secrets, database: unreachable))
        defer { work.process.killIfRunning() }
        _ = await eventually(timeout: .seconds(10)) { work.read(work.stderr).contains("connection to server") }
        work.process.send(SIGTERM)
        _ = await work.process.exitStatus()
        #expect(work.read(work.stderr).contains("connection to server"), "\(work.output)")
        work.expectNoSecret(secrets)
        var environment = Self.environment(secrets, database: unreachable, port: 0)
        environment["HERALD_TRUSTED_PROXIES"] = "not-an-address"
        let serve = try await Command.run(["serve"], environment: environment)
        #expect(serve.process.exitStatusIfExited() != 0)
        serve.expectNoSecret(secrets)
    }
}
