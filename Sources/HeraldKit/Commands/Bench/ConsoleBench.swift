import ArgumentParser
import Curl
import Foundation
import Logging
import Mail
import Postgres
import Queue
import Server

/// `herald bench console`: fills `herald_jobs` with N jobs shaped like a busy week (most
/// completed, a tenth of them in the last hour, a backlog, retries, failures, running jobs) plus
/// a user's notifications and a discussion, then times every console page through a real
/// `herald serve` on loopback: the median of several sequential requests per page.
struct ConsoleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Time each page of the operator console with N jobs in herald_jobs (median of several requests per page).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Jobs to put in herald_jobs.") var jobs: Int = 1_000_000
    @Option(name: .long, help: "Timed requests per page (after two warm-up requests).") var requests: Int = 9
    @Flag(name: .long, help: "Print one JSON object (page → median ms).") var json = false
    @Flag(name: .long, help: "Leave the rows in a configured database (HERALD_DATABASE_URL), to EXPLAIN the pages' queries.") var keep = false

    static let queues = ["bench-console-default", "bench-console-email", "bench-console-digest"]

    func validate() throws {
        guard jobs >= 1000, requests >= 1 else { throw ValidationError("--jobs must be at least 1000 and --requests positive") }
    }

    func run() async throws {
        let database = try await BenchDatabase.open(global)
        defer { database.close() }
        let logger = database.logger
        let pool = database.makePool(maximumConnections: 16)
        let clock = ContinuousClock()

        let fillStart = clock.now
        try await pool.query("DELETE FROM herald_jobs WHERE queue = ANY($1)", [Self.queues])
        let chunk = 100_000
        var from = 1
        while from <= jobs {
            let to = min(jobs, from + chunk - 1)
            try await pool.query(Self.fill, [from, to, Self.queues])
            from = to + 1
        }
        let seed = try await Self.seedPeople(pool)
        try await pool.query("VACUUM ANALYZE herald_jobs")
        let fillSeconds = (clock.now - fillStart).seconds
        FileHandle.standardError.write(Data("bench: \(jobs) jobs in herald_jobs (filled in \(String(format: "%.1f", fillSeconds)) s)\n".utf8))

        let ids = try await pool.query("""
            SELECT (SELECT id FROM herald_jobs WHERE state = 'failed' AND queue = ANY($1) ORDER BY id DESC LIMIT 1) AS failed,
                   (SELECT min(id) + (max(id) - min(id)) / 2 FROM herald_jobs WHERE queue = ANY($1)) AS middle
            """, [Self.queues])[0]
        let failedID = try ids.decode(Int64.self, column: "failed")
        let middleID = try ids.decode(Int64.self, column: "middle")

        let serverConfiguration = ServerConfiguration(host: "127.0.0.1", port: 0, signingKey: .random())
        let server = HeraldServer(configuration: serverConfiguration, pool: pool, logger: logger)
        let client = CurlClient(configuration: .init(timeout: .seconds(60), enableHTTP2: false))
        defer { client.shutdown() }
        let pages: [(String, String)] = [
            ("overview", "/admin"),
            ("overview fragment (every 5 s)", "/admin/overview/fragment"),
            ("jobs, newest", "/admin/jobs"),
            ("jobs, failed", "/admin/jobs?state=failed"),
            ("jobs, failed of one kind", "/admin/jobs?state=failed&kind=digest.build"),
            ("jobs, rare kind (100 rows)", "/admin/jobs?kind=bench.rare"),
            ("jobs, running", "/admin/jobs?state=running"),
            ("jobs, completed last hour, one queue", "/admin/jobs?state=completed&queue=bench-console-email&since=1h"),
            ("jobs, page from the middle", "/admin/jobs?before=\(middleID)"),
            ("job", "/admin/jobs/\(failedID)"),
            ("retry-failed confirmation (7 days)", "/admin/jobs/retry-failed?kind=email.send&since=7d"),
            ("people (user with 200 notifications)", "/admin/people?q=\(seed.email)"),
            ("discussions", "/admin/discussions"),
            ("thread (50 messages, 200 recipients)", "/admin/discussions/\(seed.thread.uuidString.lowercased())"),
        ]
        let count = requests
        let results: [(String, Double, Double)] = try await HeraldServer.withRunning(server) { server in
            let base = await server.localURL
            let first = try await client.execute(HTTPRequest(url: base + "/admin"))
            let cookie = first.header("Set-Cookie")?.split(separator: ";").first.map(String.init) ?? ""
            var results: [(String, Double, Double)] = []
            for (name, path) in pages {
                var times: [Double] = []
                for attempt in 0..<(count + 2) {
                    let began = clock.now
                    let response = try await client.execute(HTTPRequest(url: base + path, headers: [HTTPHeader("Cookie", cookie)]))
                    let elapsed = (clock.now - began).seconds * 1000
                    guard response.status == 200 else { throw ValidationError("\(path) answered \(response.status): \(response.bodyString.prefix(200))") }
                    if attempt >= 2 { times.append(elapsed) }
                }
                times.sort()
                results.append((name, percentile(times, 50), times.last ?? 0))
            }
            return results
        }
        if database.server == nil, !keep {
            try await pool.query("DELETE FROM herald_jobs WHERE queue = ANY($1)", [Self.queues])
            try await pool.query("DELETE FROM notification_preferences WHERE user_id = $1", [seed.user])
            try await pool.query("DELETE FROM notifications WHERE user_id = $1", [seed.user])
            try await pool.query("DELETE FROM communication_threads WHERE id = $1", [seed.thread])
        }
        await pool.close()
        if json {
            var object: [String: Any] = ["jobs": jobs, "requests_per_page": count]
            for (name, median, _) in results { object[name] = (median * 100).rounded() / 100 }
            try printJSON(object)
        } else {
            print("console pages with \(jobs) jobs in herald_jobs (median and slowest of \(count) requests, loopback HTTP):")
            for (name, median, slowest) in results {
                print("  " + name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%8.1f ms  (max %6.1f ms)", median, slowest))
            }
        }
    }

    /// Jobs `$1`…`$2` of the fill. Shape per 10,000: 9,360 completed (a tenth in the last hour,
    /// the rest over 7 days), 200 failed (3 errors each), 50 cancelled, 200 available (waiting up to
    /// 10 minutes), 100 scheduled, 40 retryable, 10 running on 4 workers, and 1 job of a rare kind
    /// (`bench.rare`, completed) per 10,000.
    static let fill = """
        INSERT INTO herald_jobs (kind, queue, priority, state, args, attempt, max_attempts, run_at, locked_by,
                                 lease_expires_at, errors, created_at, attempted_at, finished_at)
        SELECT CASE WHEN g % 10000 = 0 THEN 'bench.rare'
                    WHEN g % 10 < 5 THEN 'email.send' WHEN g % 10 < 8 THEN 'notification.route'
                    WHEN g % 10 < 9 THEN 'message.fanout' ELSE 'digest.build' END,
               ($3::text[])[1 + g % 3], g % 4, s.state, jsonb_build_object('notification_id', gen_random_uuid()),
               CASE s.state WHEN 'available' THEN 0 WHEN 'scheduled' THEN 0 WHEN 'failed' THEN 3 WHEN 'retryable' THEN 1 ELSE 1 END, 20,
               CASE s.state WHEN 'scheduled' THEN now() + random() * interval '1 day'
                            WHEN 'available' THEN now() - random() * interval '10 minutes'
                            WHEN 'retryable' THEN now() + random() * interval '1 hour' ELSE t.at END,
               CASE WHEN s.state = 'running' THEN 'bench-host:' || (g % 4) || ':x' END,
               CASE WHEN s.state = 'running' THEN now() + interval '30 seconds' END,
               CASE WHEN s.state IN ('failed', 'retryable') THEN
                    jsonb_build_array(jsonb_build_object('attempt', 1, 'at', t.at, 'error', 'Postmark HTTP 503: service unavailable', 'worker', 'bench-host:1:x'),
                                      jsonb_build_object('attempt', 2, 'at', t.at, 'error', 'Postmark HTTP 503: service unavailable', 'worker', 'bench-host:2:x'),
                                      jsonb_build_object('attempt', 3, 'at', t.at, 'error', 'Postmark ErrorCode 406: inactive recipient', 'worker', 'bench-host:3:x'))
                    ELSE '[]'::jsonb END,
               t.at - interval '2 seconds',
               CASE WHEN s.state IN ('completed', 'failed', 'cancelled', 'running', 'retryable') THEN t.at - interval '1 second' END,
               CASE WHEN s.state IN ('completed', 'failed', 'cancelled') THEN t.at END
          FROM generate_series($1::integer, $2::integer) g
         CROSS JOIN LATERAL (SELECT CASE
                    WHEN g % 10000 = 0 THEN 'completed'
                    WHEN g % 10000 < 200 THEN 'failed' WHEN g % 10000 < 250 THEN 'cancelled'
                    WHEN g % 10000 < 450 THEN 'available' WHEN g % 10000 < 550 THEN 'scheduled'
                    WHEN g % 10000 < 590 THEN 'retryable' WHEN g % 10000 < 600 THEN 'running'
                    ELSE 'completed' END AS state) s
         CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 = 3 THEN now() - random() * interval '1 hour'
                                         ELSE now() - random() * interval '7 days' END AS at) t
        """

    /// A user with 200 notifications (already routed: no jobs), a suppressed address, and a thread
    /// of 50 messages to 200 tracked recipients.
    static func seedPeople(_ pool: PostgresPool) async throws -> (user: UUID, email: String, thread: UUID) {
        let tenant = UUID(), user = UUID(), thread = UUID()
        let email = "bench-\(user.uuidString.prefix(8).lowercased())@bench.example"
        try await pool.query("""
            INSERT INTO notification_preferences (user_id, tenant_id, email, digest_frequency) VALUES ($1, $2, $3, 'daily')
            """, [user, tenant, email])
        try await pool.query("""
            INSERT INTO notifications (tenant_id, user_id, type, priority, created_at, routed_at, route, email_sent_at)
            SELECT $1, $2, 'task.assigned', 'high', now() - g * interval '1 hour', now() - g * interval '1 hour', 'email', now() - g * interval '1 hour'
              FROM generate_series(1, 200) g
            """, [tenant, user])
        try await pool.query("""
            INSERT INTO email_suppressions (email, reason, bounce_type, source) VALUES ($1, 'bench: hard bounce', 'hard', 'postmark_webhook')
            ON CONFLICT (email) DO NOTHING
            """, [email])
        try await pool.query("INSERT INTO communication_threads (id, tenant_id, subject) VALUES ($1, $2, 'bench thread')", [thread, tenant])
        try await pool.query("""
            INSERT INTO communication_messages (thread_id, body, created_at) SELECT $1, 'message ' || g, now() - g * interval '1 minute' FROM generate_series(1, 50) g
            """, [thread])
        try await pool.query("""
            INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, sent_at)
            SELECT $1, m.id, 'r' || g || '@bench.example', 'external', now()
              FROM (SELECT id FROM communication_messages WHERE thread_id = $1 ORDER BY created_at LIMIT 4) m, generate_series(1, 50) g
            """, [thread])
        return (user, email, thread)
    }
}
