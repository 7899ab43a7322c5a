import ArgumentParser
import Curl
import Foundation
import Logging
import Mail
import Postgres
import Queue
import Server
import Synchronization

/// `herald bench tracking`: open-pixel hits over loopback HTTP against `herald serve`'s app
/// in-process, each recorded in PostgreSQL through the group-committing recorder.
struct TrackingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking",
        abstract: "Fire pixel hits at herald serve over loopback; report hits/s, p99 latency, hits sent and recorded.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Pixel hits to send.") var hits: Int = 50_000
    @Option(name: .long, help: "Concurrent clients (each with its own keep-alive connection).") var concurrency: Int = 256
    @Option(name: .long, help: "Group-commit writers in the server (database connections writing batches in parallel; default 2, as herald serve).") var writers: Int = 2
    @Option(name: .long, help: "Distinct tracked emails (pixels) the hits are spread over.") var pixels: Int = 1_000
    @Flag(name: .long, help: "Print one JSON object.") var json = false

    func validate() throws {
        guard hits > 0, concurrency > 0, pixels > 0, writers > 0 else { throw ValidationError("--hits, --concurrency, --pixels and --writers must be positive") }
    }

    func run() async throws {
        let database = try await BenchDatabase.open(global)
        defer { database.close() }
        let logger = database.logger
        let pool = database.makePool(maximumConnections: writers + 4)

        // Seed one thread, one message and `pixels` tracked recipients.
        let thread = try await pool.query("INSERT INTO communication_threads (tenant_id, subject) VALUES (gen_random_uuid(), 'bench') RETURNING id")[0].decode(UUID.self, at: 0)
        let message = try await pool.query("INSERT INTO communication_messages (thread_id, body) VALUES ($1, 'bench') RETURNING id", [thread])[0].decode(UUID.self, at: 0)
        let pixelIDs = try await pool.query(
            """
            INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, sent_at)
            SELECT $1, $2, 'r' || g || '@bench.example', 'external', now() FROM generate_series(1, $3::integer) g
            RETURNING tracking_pixel_id
            """, [thread, message, pixels]).map { try $0.decode(String.self, at: 0) }

        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, signingKey: .random())
        let server = HeraldServer(configuration: configuration, pool: pool, trackingWriters: writers, logger: logger)
        let client = CurlClient(configuration: .init(timeout: .seconds(30), maxConnectionsPerHost: concurrency, maxTotalConnections: concurrency, enableHTTP2: false))
        defer { client.shutdown() }

        let total = hits
        let workers = concurrency
        let (latencies, failures, seconds) = try await HeraldServer.withRunning(server) { server in
            let base = await server.localURL
            let next = BenchCounter()
            let failures = BenchCounter()
            let clock = ContinuousClock()
            let start = clock.now
            let latencies = await withTaskGroup(of: [Double].self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        var mine: [Double] = []
                        while true {
                            let index = next.increment()
                            guard index < total else { break }
                            let url = "\(base)/t/\(pixelIDs[index % pixelIDs.count]).gif"
                            let began = clock.now
                            let ok = (try? await client.execute(HTTPRequest(url: url, headers: [HTTPHeader("User-Agent", "herald-bench")])))?.status == 200
                            mine.append((clock.now - began).seconds * 1000)
                            if !ok { _ = failures.increment() }
                        }
                        return mine
                    }
                }
                var all: [Double] = []
                for await part in group { all += part }
                return all
            }
            return (latencies.sorted(), failures.value, (clock.now - start).seconds)
        }
        let recorded = try await pool.query("SELECT coalesce(sum(open_count), 0)::bigint FROM discussion_email_tracking WHERE message_id = $1", [message])[0].decode(Int.self, at: 0)
        try await pool.query("DELETE FROM communication_threads WHERE id = $1", [thread])
        await pool.close()

        let result: [String: Any] = [
            "hits_sent": total, "hits_recorded": recorded, "hits_failed": failures, "concurrency": workers, "writers": writers, "pixels": pixelIDs.count,
            "seconds": seconds, "hits_per_s": Double(recorded) / seconds,
            "latency_p50_ms": percentile(latencies, 50), "latency_p99_ms": percentile(latencies, 99), "latency_max_ms": latencies.last ?? 0,
        ]
        if json {
            try printJSON(result)
        } else {
            print("""
                pixel hits:   \(total) sent over \(workers) connections, \(failures) failed, \(recorded) recorded (sum of open_count)
                throughput:   \(Int(Double(recorded) / seconds)) recorded opens/s (\(String(format: "%.2f", seconds)) s)
                latency:      p50 \(String(format: "%.2f", percentile(latencies, 50))) ms, p99 \(String(format: "%.2f", percentile(latencies, 99))) ms
                """)
        }
        if recorded != total { throw ValidationError("recorded \(recorded) opens for \(total) hits sent") }
    }
}

/// A shared counter for the load generator's tasks.
final class BenchCounter: Sendable {
    private let atomic = Atomic<Int>(0)
    /// Adds one and returns the value before.
    func increment() -> Int { atomic.wrappingAdd(1, ordering: .relaxed).oldValue }
    var value: Int { atomic.load(ordering: .relaxed) }
}
