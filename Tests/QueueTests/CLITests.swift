import DevTools
import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

/// `herald enqueue` and `herald jobs …` as an operator runs them.
@Suite("herald enqueue and herald jobs")
struct CLITests {
    /// Runs `herald ARGS` against `db`; returns the exit status and everything it printed.
    static func herald(_ db: TestDatabase, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let log = NSTemporaryDirectory() + "herald-cli-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = db.configuration.connectionString
        environment["HERALD_LOG_LEVEL"] = "warning"
        let child = try TestProcess.spawn(try TestProcess.heraldBinary(), arguments, environment: environment,
                                           stdout: .file(log), stderr: .file(log))
        let status = await child.exitStatus()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func enqueueShowRetryAndCancelAJob() async throws {
        try await withTestDatabase("cli") { db in
            let enqueued = try await Self.herald(db, ["enqueue", "report.build", "--args", #"{"month": "2026-11"}"#, "--priority", "1"])
            #expect(enqueued.status == 0)
            let id = try #require(Int64(enqueued.output.trimmingCharacters(in: .whitespacesAndNewlines)))
            let pool = db.pool(maximumConnections: 1)
            let job = try #require(try await JobQueue(pool: pool).job(id: id))
            #expect(job.kind == "report.build" && job.priority == 1 && job.args.text.contains("2026-11"))

            try await pool.query("""
                UPDATE herald_jobs SET state = 'failed', attempt = 20, finished_at = now(),
                       errors = '[{"attempt": 20, "at": "t", "error": "Postmark said 500", "worker": "w1"}]' WHERE id = $1
                """, [id])
            let shown = try await Self.herald(db, ["jobs", "show", String(id)])
            #expect(shown.status == 0)
            #expect(shown.output.contains("state:        failed"))
            #expect(shown.output.contains("Postmark said 500"))
            let listed = try await Self.herald(db, ["jobs", "list", "--state", "failed"])
            #expect(listed.output.contains("\(id)\tfailed\treport.build"))

            let retried = try await Self.herald(db, ["jobs", "retry", String(id)])
            #expect(retried.status == 0)
            #expect(try await jobState(pool, id) == "available")
            #expect(try await JobQueue(pool: pool).job(id: id)?.maxAttempts == 21)

            let cancelled = try await Self.herald(db, ["jobs", "cancel", String(id)])
            #expect(cancelled.status == 0)
            #expect(try await jobState(pool, id) == "cancelled")
            let again = try await Self.herald(db, ["jobs", "cancel", String(id)])
            #expect(again.status != 0)
            #expect(again.output.contains("already finished"))
            await pool.close()
        }
    }

    @Test func badInputGetsAMessageThatSaysWhatToFix() async throws {
        try await withTestDatabase("clibad") { db in
            let notObject = try await Self.herald(db, ["enqueue", "x", "--args", "[1, 2]"])
            #expect(notObject.status != 0)
            #expect(notObject.output.contains("--args must be a JSON object"))
            let priority = try await Self.herald(db, ["enqueue", "x", "--priority", "7"])
            #expect(priority.output.contains("--priority must be 0 (urgent) to 3 (low)"))
            let state = try await Self.herald(db, ["jobs", "list", "--state", "done"])
            #expect(state.output.contains("unknown state 'done'"))
            let missing = try await Self.herald(db, ["jobs", "show", "987654"])
            #expect(missing.status != 0)
            #expect(missing.output.contains("no job with id 987654"))
            let pool = db.pool(maximumConnections: 1)
            #expect(try await pool.query("SELECT count(*) FROM herald_jobs")[0].decode(Int.self, at: 0) == 0)
            await pool.close()
        }
    }

    @Test func retryRefusesAnExtraAttemptsCountBelowOne() async throws {
        try await withTestDatabase("cliretry") { db in
            let pool = db.pool(maximumConnections: 1)
            try await pool.query("INSERT INTO herald_jobs (kind, state, attempt, max_attempts, finished_at) VALUES ('x', 'failed', 3, 3, now())")
            for arguments in [["jobs", "retry", "1", "--extra-attempts=-5"], ["jobs", "retry", "--failed", "--extra-attempts", "0"]] {
                let refused = try await Self.herald(db, arguments)
                #expect(refused.status != 0, "\(arguments) was accepted")
                #expect(refused.output.contains("--extra-attempts must be a whole number from 1 to 1000"), "\(refused.output)")
            }
            // Nothing changed.
            let row = try #require(try await pool.query("SELECT state, max_attempts FROM herald_jobs WHERE id = 1").first)
            #expect(try row.decode(String.self, at: 0) == "failed")
            #expect(try row.decode(Int.self, at: 1) == 3)
            // The SQL functions refuse it too, for admins who call them directly.
            await #expect(throws: PostgresError.self) { try await pool.query("SELECT herald_retry_job(1, -5)") }
            await #expect(throws: PostgresError.self) { try await pool.query("SELECT herald_retry_failed_jobs(extra_attempts => 0)") }
            let accepted = try await Self.herald(db, ["jobs", "retry", "1", "--extra-attempts", "2"])
            #expect(accepted.status == 0, "\(accepted.output)")
            #expect(try await pool.query("SELECT max_attempts FROM herald_jobs WHERE id = 1")[0].decode(Int.self, at: 0) == 5)
            await pool.close()
        }
    }

    @Test func statsPrintsThreadAndMessageCountsAsJSON() async throws {
        try await withTestDatabase("clistats") { db in
            let pool = db.pool(maximumConnections: 1)
            let tenant = UUID(), thread = UUID(), message = UUID(), empty = UUID()
            try await pool.query("INSERT INTO communication_threads (id, tenant_id, subject) VALUES ($1, $2, 'Stats')", [thread, tenant])
            try await pool.query("INSERT INTO communication_messages (id, thread_id, body, source) VALUES ($1, $2, 'hi', 'app')", [message, thread])
            // Three recipients: one opened (twice), one delivered only, one bounced.
            try await pool.query("""
                INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, sent_at,
                                                       delivered_at, opened_at, open_count, bounced_at, bounce_type)
                VALUES ($1, $2, 'a@example.com', 'external', now(), now(), now(), 2, NULL, NULL),
                       ($1, $2, 'b@example.com', 'client_contact', now(), now(), NULL, 0, NULL, NULL),
                       ($1, $2, 'c@example.com', 'freelancer', now(), NULL, NULL, 0, now(), 'hard')
                """, [thread, message])
            for (scope, id) in [("thread", thread), ("message", message)] {
                let result = try await Self.herald(db, ["stats", scope, id.uuidString, "--json"])
                #expect(result.status == 0)
                let line = try #require(result.output.split(separator: "\n").last)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["total"] as? Int == 3)
                #expect(object["sent"] as? Int == 3)
                #expect(object["delivered"] as? Int == 2)
                #expect(object["opened"] as? Int == 1)
                #expect(object["bounced"] as? Int == 1)
                #expect(object["open_rate"] as? Double == 33.33)
            }
            // Nothing sent: an open rate of 0, not a division error.
            let none = try await Self.herald(db, ["stats", "thread", empty.uuidString, "--json"])
            #expect(none.status == 0)
            #expect(none.output.contains("\"open_rate\":0"))
            let bad = try await Self.herald(db, ["stats", "thread", "not-a-uuid"])
            #expect(bad.status != 0)
            await pool.close()
        }
    }

    @Test func inboundReleaseThreadsAHeldReplyOnlyOnce() async throws {
        try await withTestDatabase("cliinbound") { db in
            let pool = db.pool(maximumConnections: 1)
            let thread = UUID(), held = UUID(), unmatched = UUID()
            try await pool.query("INSERT INTO communication_threads (id, tenant_id, subject) VALUES ($1, gen_random_uuid(), 'Kickoff')", [thread])
            try await pool.query("""
                INSERT INTO inbound_emails (id, from_email, stripped_text, status, reason, thread_id, raw)
                VALUES ($1, 'client.private@example.org', 'From my other address.', 'rejected', 'sender_mismatch', $2, '{"FromName": "Client"}'),
                       ($3, 'x@example.com', 'hi', 'unmatched', 'no_thread', NULL, '{}')
                """, [held, thread, unmatched])
            let released = try await Self.herald(db, ["inbound", "release", held.uuidString])
            #expect(released.status == 0, "\(released.output)")
            #expect(released.output.contains("released: thread \(thread.uuidString.lowercased())"))
            let message = try #require(try await pool.query(
                "SELECT author_email, author_name, body, source FROM communication_messages WHERE thread_id = $1", [thread]).first)
            #expect(try message.decode(String.self, column: "author_email") == "client.private@example.org")
            #expect(try message.decode(String?.self, column: "author_name") == "Client")
            #expect(try message.decode(String.self, column: "source") == "email")
            let row = try await pool.query("SELECT status, released_at IS NOT NULL AS released FROM inbound_emails WHERE id = $1", [held])[0]
            #expect(try row.decode(String.self, column: "status") == "threaded")
            #expect(try row.decode(Bool.self, column: "released"))

            let again = try await Self.herald(db, ["inbound", "release", held.uuidString])
            #expect(again.status == 0)
            #expect(again.output.contains("already threaded"))
            let refused = try await Self.herald(db, ["inbound", "release", unmatched.uuidString])
            #expect(refused.status != 0)
            #expect(refused.output.contains("cannot be released"))
            #expect(try await pool.query("SELECT count(*) FROM communication_messages WHERE thread_id = $1", [thread])[0].decode(Int.self, at: 0) == 1)
            await pool.close()
        }
    }
}
