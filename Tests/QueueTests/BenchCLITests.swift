import Foundation
import HeraldTestSupport
import Postgres
import Testing

/// `herald bench …` as a process, small: every benchmark runs end to end, prints the JSON keys its
/// issue promises, and leaves the database as it found it. (No speed is asserted here; figures
/// come from release builds, see the README.)
@Suite("herald bench, small runs")
struct BenchCLITests {
    /// Runs `herald bench ARGS --json` against `db`; returns the exit status, the JSON object of its
    /// last line and everything it printed.
    static func bench(_ db: TestDatabase, _ arguments: [String]) async throws -> (status: Int32, json: [String: Any], output: String) {
        let result = try await CLITests.herald(db, ["bench"] + arguments + ["--json"])
        let last = result.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let json = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [String: Any] ?? [:]
        return (result.status, json, result.output)
    }

    static func count(_ db: TestDatabase, _ sql: String) async throws -> Int {
        let pool = db.pool(maximumConnections: 1)
        do {
            let value = try await pool.query(sql)[0].decode(Int.self, at: 0)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }

    @Test("bench delivery: emails_per_s, latency_p50_ms ≤ latency_p99_ms, CPU per email; nothing left behind")
    func delivery() async throws {
        try await withTestDatabase("benchdelivery") { db in
            for extra in [[String](), ["--no-inline", "--delay-ms", "20"]] {
                let run = try await Self.bench(db, ["delivery", "--notifications", "300", "--concurrency", "100", "--connections", "4"] + extra)
                #expect(run.status == 0, "\(run.output)")
                let rate = try #require(run.json["emails_per_s"] as? Double, "\(run.output)")
                let p50 = try #require(run.json["latency_p50_ms"] as? Double)
                let p99 = try #require(run.json["latency_p99_ms"] as? Double)
                #expect(rate > 0)
                #expect(p50 > 0 && p50 <= p99)
                #expect(run.json["notifications"] as? Int == 300)
                #expect(run.json["inline_first_attempt"] as? Bool == extra.isEmpty)
                #expect((run.json["herald_cpu_ms_per_email"] as? Double ?? -1) > 0)
                if !extra.isEmpty { #expect(p50 >= 20, "every send waited for the 20 ms sandbox delay") }
            }
            #expect(try await Self.count(db, "SELECT count(*) FROM notifications") == 0)
            #expect(try await Self.count(db, "SELECT count(*) FROM notification_preferences") == 0)
            #expect(try await Self.count(db, "SELECT count(*) FROM herald_jobs WHERE kind IN ('notification.route', 'email.send')") == 0)
        }
    }

    @Test("bench queue and bench tracking print their rates and clean up")
    func queueAndTracking() async throws {
        try await withTestDatabase("benchqueue") { db in
            let queue = try await Self.bench(db, ["queue", "--jobs", "2000", "--concurrency", "100", "--latency-samples", "20"])
            #expect(queue.status == 0, "\(queue.output)")
            #expect((queue.json["enqueue_jobs_per_s"] as? Double ?? 0) > 0)
            #expect((queue.json["process_jobs_per_s"] as? Double ?? 0) > 0)
            #expect(queue.json["latency_samples"] as? Int == 20)
            #expect(try await Self.count(db, "SELECT count(*) FROM herald_jobs WHERE queue IN ('bench', 'bench-latency')") == 0)

            let tracking = try await Self.bench(db, ["tracking", "--hits", "2000", "--concurrency", "16", "--pixels", "50"])
            #expect(tracking.status == 0, "\(tracking.output)")
            #expect(tracking.json["hits_sent"] as? Int == 2000)
            #expect(tracking.json["hits_recorded"] as? Int == 2000, "every answered hit was recorded")
            #expect(tracking.json["hits_failed"] as? Int == 0)
            #expect(try await Self.count(db, "SELECT count(*) FROM discussion_email_tracking") == 0)
        }
    }

    @Test("bench refuses nonsense options with a message that says what to fix")
    func refusals() async throws {
        try await withTestDatabase("benchrefusal") { db in
            let run = try await CLITests.herald(db, ["bench", "delivery", "--notifications", "0"])
            #expect(run.status != 0)
            #expect(run.output.contains("--notifications"))
        }
    }
}
