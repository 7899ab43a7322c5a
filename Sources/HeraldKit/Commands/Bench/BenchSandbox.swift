import ArgumentParser
import Curl
import DevTools
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HeraldJSON
import Postgres
import Sandbox

/// The sandbox Postmark that `herald bench delivery` sends to, in a process of its own: a
/// `herald sandbox` child that the bench starts and stops, or one already running at
/// `--sandbox-url`. Either way the herald process's CPU time is Herald's alone.
///
/// The child cannot outlive the bench: ``stop()`` ends it on every path out of the benchmark
/// (SIGTERM, then SIGKILL after 10 s), Ctrl-C reaches it with the bench (same process group),
/// and it watches its parent (`--parent-pid`), so a bench killed by any other signal takes it
/// along within a tenth of a second.
struct BenchSandbox {
    /// The Postmark API base URL, `http://127.0.0.1:PORT`.
    let url: String
    /// The `X-Postmark-Server-Token` it accepts (the sandbox's default).
    let serverToken: String
    /// The child, when the bench started it.
    let process: ChildProcess?
    /// Reads `/_sandbox/stats`; not one of the clients that send the emails.
    private let client: CurlClient

    private init(url: String, process: ChildProcess?) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.serverToken = SandboxProviders.Configuration().postmarkServerToken
        self.process = process
        self.client = CurlClient()
    }

    /// A sandbox already running at `url` (started with `herald sandbox`).
    static func existing(url: String) -> BenchSandbox {
        BenchSandbox(url: url, process: nil)
    }

    /// Starts `herald sandbox` (this executable) on a free loopback port, answering after
    /// `delayMs`, keeping only its counters; returns once it listens.
    static func start(delayMs: Int) async throws -> BenchSandbox {
        // The child prints its URL once it listens; its stdout goes to a file we read back.
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("herald-bench-sandbox-\(getpid())-\(UUID().uuidString).out").path
        var environment = ProcessInfo.processInfo.environment
        environment["HERALD_LOG_LEVEL"] = "warning"
        let child = try ChildProcess.spawn(
            TempDBCommand.executablePath(),
            ["sandbox", "--delay-ms", "\(delayMs)", "--no-record", "--parent-pid", "\(getpid())"],
            environment: environment, stdout: .file(output))
        defer { try? FileManager.default.removeItem(atPath: output) }
        do {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                if let url = Self.listeningURL(in: output) { return BenchSandbox(url: url, process: child) }
                if let status = child.exitStatusIfExited() {
                    throw ValidationError("herald sandbox exited with status \(status) before it listened")
                }
                guard ContinuousClock.now < deadline else { throw ValidationError("herald sandbox did not listen within 30 s") }
                try await Task.sleep(for: .milliseconds(10))
            }
        } catch {
            child.send(SIGKILL)
            child.wait()
            throw error
        }
    }

    /// The `POSTMARK_API_URL=` line `herald sandbox` prints when it listens.
    private static func listeningURL(in path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let prefix = "POSTMARK_API_URL="
        for line in text.split(separator: "\n") {
            let line = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
        }
        return nil
    }

    /// The sandbox's count of accepted emails (`GET /_sandbox/stats`).
    func emailsAccepted() async throws -> Int {
        let response = try await client.execute(HTTPRequest(url: url + "/_sandbox/stats"))
        guard response.status == 200, let count = (try? JSONValue(parsing: response.body))?["emailsAccepted"]?.intValue else {
            throw ValidationError("the sandbox at \(url) answered GET /_sandbox/stats with status \(response.status)")
        }
        return count
    }

    /// CPU seconds (user + system) of the child so far; nil for a sandbox the bench did not start.
    func cpuSeconds() -> Double? {
        process.flatMap { CPUMeter.cpuSeconds(of: Int($0.pid)) }
    }

    /// Stops the child (SIGTERM; SIGKILL if it is still there after 10 s) and waits for it.
    func stop() async {
        defer { client.shutdown() }
        guard let process else { return }
        process.send(SIGTERM)
        // A task of its own, so the wait also runs to the end when the caller was cancelled
        // (`Task.sleep` would return at once and this would spin for 10 s).
        await Task {
            let deadline = ContinuousClock.now + .seconds(10)
            while process.exitStatusIfExited() == nil {
                guard ContinuousClock.now < deadline else {
                    process.send(SIGKILL)
                    _ = await process.exitStatus()
                    return
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }.value
    }
}
