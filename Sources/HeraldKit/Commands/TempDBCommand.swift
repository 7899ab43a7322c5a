import ArgumentParser
import DevTools
import Foundation
import Postgres

#if canImport(Glibc)
import Glibc
#endif

/// `herald tempdb -- CMD …`: runs a command against a throwaway, migrated PostgreSQL cluster.
///
/// This is the test harness behind `make test`, and a handy sandbox for development: the cluster
/// runs as a non-root user on a free loopback port and is removed when the command ends,
/// whatever its exit status, and on SIGINT/SIGTERM.
struct TempDBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tempdb",
        abstract: "Run a command against a throwaway PostgreSQL cluster with the schema applied.",
        discussion: """
            Exports HERALD_DATABASE_URL (database 'herald', migrated), HERALD_TEST_DATABASE_URL (the
            'postgres' admin database), HERALD_TEST_TEMPLATE (a migrated template database that tests
            clone) and HERALD_BIN (this executable) to the command. Without a command it prints the
            URL and waits for Ctrl-C.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Keep fsync on (off makes test clusters faster; benchmarks keep it on).")
    var fsync = true

    @Argument(parsing: .postTerminator, help: "The command to run, after --.")
    var command: [String] = []

    func run() async throws {
        let logger = try global.makeLogger("herald.tempdb")
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        // The parallel test pass opens a few hundred connections at its peak (each test has its
        // own pool; process tests start workers and benchmarks): 200 was seen to run out.
        let server = try await startMigratedTemporaryPostgres(
            options: .init(fsync: fsync, maxConnections: 500), database: "herald", logger: logger)
        defer { server.stop() }
        try await withDatabaseConnection(server.configuration, logger: logger) { admin in
            try await admin.execute("CREATE DATABASE herald_template TEMPLATE herald")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_DATABASE_URL"] = server.configuration(database: "herald").connectionString
        environment["HERALD_TEST_DATABASE_URL"] = server.configuration.connectionString
        environment["HERALD_TEST_TEMPLATE"] = "herald_template"
        environment["HERALD_BIN"] = Self.executablePath()
        FileHandle.standardError.write(Data("herald tempdb: PostgreSQL on 127.0.0.1:\(server.port) (\(server.directory)), database 'herald' migrated\n".utf8))

        guard let executable = argv.first else {
            print(server.configuration(database: "herald").connectionString)
            FileHandle.standardError.write(Data("herald tempdb: press Ctrl-C to stop and remove the cluster\n".utf8))
            await waitForSignal()
            throw ExitCode.success
        }
        let status = try await runChild(executable, Array(argv.dropFirst()), environment: environment)
        if status != 0 {
            Self.reportServerTrouble(server.serverLog)
            throw ExitCode(status)
        }
    }

    /// After a failed command, prints what the server itself refused or crashed on (`FATAL`,
    /// `PANIC`: too many clients, out of memory, …), counted per message: the cluster and its log
    /// are removed on exit, and a CI log is the only place such a cause can still be seen.
    static func reportServerTrouble(_ log: String) {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for line in log.split(separator: "\n") {
            guard let range = line.range(of: "FATAL:") ?? line.range(of: "PANIC:") else { continue }
            let message = String(line[range.lowerBound...])
            if counts[message] == nil { order.append(message) }
            counts[message, default: 0] += 1
        }
        // Tests end connections on purpose (terminated backends, dropped databases): those are noise.
        let expected = ["terminating connection due to administrator command", "does not exist"]
        let report = order.filter { message in !expected.contains { message.contains($0) } }
        guard !report.isEmpty else { return }
        var text = "herald tempdb: the PostgreSQL server log has \(report.count) FATAL/PANIC message(s):\n"
        for message in report.prefix(20) { text += "  \(counts[message]!)× \(message)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs the child, forwarding SIGINT/SIGTERM to it, and returns its exit status.
    private func runChild(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Int32 {
        let child = try ChildProcess.spawn(executable, arguments, environment: environment)
        let signals = Self.handleStopSignals { child.send($0) }
        defer { signals.forEach { $0.cancel() } }
        return await child.exitStatus()
    }

    private func waitForSignal() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = Self.handleStopSignals { continuation.yield($0) }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }

    /// Takes SIGINT and SIGTERM away from their default action (ending this process) and calls
    /// `handler` with the signal's number instead; cancel the returned sources to stop.
    private static func handleStopSignals(_ handler: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }
}
