import ArgumentParser
import DevTools
import Foundation
import Logging
import Postgres

/// `herald bench …`: benchmarks. Figures are only meaningful from a release build.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (use a release build: swift build -c release).",
        discussion: """
            Each benchmark uses the database in HERALD_DATABASE_URL (after herald migrate), or starts a
            throwaway PostgreSQL (fsync and synchronous_commit on) when none is set.
            """,
        subcommands: [QueueBench.self, DeliveryBench.self, TrackingBench.self, JSONBench.self, ConsoleBench.self])
}

/// The database a benchmark runs against, the quiet logger every benchmark uses, and how to clean
/// up after it.
struct BenchDatabase {
    let configuration: PostgresConfiguration
    let server: TemporaryPostgres?
    /// `herald.bench` at warning level, so the services under test log only trouble.
    let logger: Logger

    static func open(_ global: GlobalOptions) async throws -> BenchDatabase {
        var logger = try global.makeLogger("herald.bench")
        logger.logLevel = .warning
        if let configured = try? global.databaseConfiguration(applicationName: "herald bench") {
            return BenchDatabase(configuration: configured, server: nil, logger: logger)
        }
        FileHandle.standardError.write(Data("bench: starting a throwaway PostgreSQL (fsync on)…\n".utf8))
        let server = try await startMigratedTemporaryPostgres(options: .init(fsync: true), database: "herald", logger: logger)
        return BenchDatabase(configuration: server.configuration(database: "herald"), server: server, logger: logger)
    }

    /// A pool of at most `maximumConnections` connections to the database.
    func makePool(maximumConnections: Int) -> PostgresPool {
        PostgresPool(configuration: configuration, pool: .init(maximumConnections: maximumConnections), logger: logger)
    }

    func close() { server?.stop() }

    /// Reads CPU time of this process and of the throwaway server (when the benchmark started one).
    var cpuMeter: CPUMeter { CPUMeter(postgresDataDirectory: server.map { $0.directory + "/data" }) }
}

/// Percentile of a sorted array (nearest rank).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// Prints a flat JSON object with sorted keys.
func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
