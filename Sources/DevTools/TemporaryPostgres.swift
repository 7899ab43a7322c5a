import Foundation
public import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster: `initdb` into a temporary directory, a server on a free
/// loopback port, and removal of everything on `stop()`.
///
/// Used by the test harness (`herald tempdb`), `herald demo` and `herald bench`, so the logic
/// lives here once. PostgreSQL refuses to run as root, so when the current user is root the
/// cluster runs as `options.user` (default `postgres`) through `runuser`.
public final class TemporaryPostgres: Sendable {
    /// How to build the cluster.
    public struct Options: Sendable {
        /// Keep `fsync` on (durable, as in production). Tests turn it off for speed; benchmarks keep it.
        public var fsync: Bool = true
        /// `synchronous_commit`. Default on.
        public var synchronousCommit: Bool = true
        /// `max_connections`. Default 200 (4 worker processes and parallel tests).
        public var maxConnections: Int = 200
        /// Extra `-c name=value` server settings.
        public var settings: [String: String] = [:]
        /// The OS user that runs the server when we are root. Default `postgres`.
        public var user: String = "postgres"
        /// Directory of `initdb`/`pg_ctl`; default: `HERALD_PG_BIN`, then `pg_config --bindir`,
        /// then the newest `/usr/lib/postgresql/*/bin`.
        public var binDirectory: String? = nil

        public init(fsync: Bool = true, synchronousCommit: Bool = true, maxConnections: Int = 200,
                    settings: [String: String] = [:], user: String = "postgres", binDirectory: String? = nil) {
            self.fsync = fsync
            self.synchronousCommit = synchronousCommit
            self.maxConnections = maxConnections
            self.settings = settings
            self.user = user
            self.binDirectory = binDirectory
        }
    }

    /// The TCP port the server listens on (127.0.0.1 only).
    public let port: Int
    /// The cluster's data directory (removed by `stop()`).
    public let directory: String
    let binDirectory: String
    let runAs: String?

    /// A URL for the `postgres` database as the `postgres` superuser (trust auth, loopback only).
    public var configuration: PostgresConfiguration {
        PostgresConfiguration(connectionString: "postgres://postgres@127.0.0.1:\(port)/postgres")
    }

    /// The same server, another database.
    public func configuration(database: String) -> PostgresConfiguration { configuration.withDatabase(database) }

    private init(port: Int, directory: String, binDirectory: String, runAs: String?) {
        self.port = port
        self.directory = directory
        self.binDirectory = binDirectory
        self.runAs = runAs
    }

    /// Creates and starts a cluster. Throws a `TemporaryPostgresError` that says what to fix.
    public static func start(options: Options = Options()) throws -> TemporaryPostgres {
        let bin = try findBinDirectory(options.binDirectory)
        let runAs: String? = geteuid() == 0 ? options.user : nil
        let base = try makeDirectory(owner: runAs)
        let data = base + "/data"
        let instance = TemporaryPostgres(port: 0, directory: base, binDirectory: bin, runAs: runAs)
        do {
            try instance.run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                             log: base + "/initdb.log")
        } catch {
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
        var settings: [String: String] = [
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": base,
            "fsync": options.fsync ? "on" : "off",
            "synchronous_commit": options.synchronousCommit ? "on" : "off",
            "full_page_writes": options.fsync ? "on" : "off",
            "max_connections": String(options.maxConnections),
            "log_min_messages": "warning",
            // A throwaway cluster serves tests and demos, often on a busy machine where a new
            // backend's start-up can take longer than the 60 s default; it is closed to others.
            "authentication_timeout": "600s",
        ]
        for (key, value) in options.settings { settings[key] = value }
        // A free port can be taken between our probe and the server's bind: retry a few times.
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try freePort()
            settings["port"] = String(port)
            let config = settings.sorted { $0.key < $1.key }.map { "\($0.key) = '\($0.value)'" }.joined(separator: "\n")
            try (config + "\n").write(toFile: data + "/postgresql.auto.conf", atomically: true, encoding: .utf8)
            if let runAs { try chown(data + "/postgresql.auto.conf", to: runAs) }
            let started = TemporaryPostgres(port: port, directory: base, binDirectory: bin, runAs: runAs)
            do {
                try started.run("pg_ctl", ["-D", data, "-l", base + "/server.log", "-w", "-t", "60", "start"], log: base + "/pg_ctl.log")
                return started
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(atPath: base)
        throw lastError ?? TemporaryPostgresError("could not start PostgreSQL")
    }

    /// Stops the server immediately and removes the directory. Safe to call twice.
    public func stop() {
        if FileManager.default.fileExists(atPath: directory + "/data/postmaster.pid") {
            try? run("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"], log: directory + "/pg_ctl.log")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Restarts the server on the same port (`-m fast`): existing connections are cut.
    public func restart() throws {
        try run("pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-m", "fast", "-w", "-t", "60", "restart"],
                log: directory + "/pg_ctl.log")
    }

    /// The server log so far (for diagnosing failures).
    public var serverLog: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    // MARK: - Helpers

    private func run(_ tool: String, _ arguments: [String], log: String) throws {
        let executable = binDirectory + "/" + tool
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        if let runAs { try? Self.chown(log, to: runAs) }
        // The server inherits our environment; PG* variables from the caller would confuse it.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        let child = try runAs.map {
            try ChildProcess.spawn("/usr/sbin/runuser", ["-u", $0, "--", executable] + arguments,
                                   environment: environment, stdout: .file(log), stderr: .file(log))
        } ?? ChildProcess.spawn(executable, arguments, environment: environment, stdout: .file(log), stderr: .file(log))
        let status = child.wait()
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let serverLog = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            throw TemporaryPostgresError(
                "\(tool) exited with status \(status):\n\(output.suffix(2000))\(serverLog.suffix(2000))")
        }
    }

    static func findBinDirectory(_ explicit: String?) throws -> String {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["HERALD_PG_BIN"] { candidates.append(env) }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate + "/initdb") {
            return candidate
        }
        throw TemporaryPostgresError(
            "no PostgreSQL server binaries found (looked for initdb in \(candidates.isEmpty ? "/usr/lib/postgresql/*/bin" : candidates.joined(separator: ", "))); install postgresql-15 (apt-get install postgresql-15) or set HERALD_PG_BIN")
    }

    private static func makeDirectory(owner: String?) throws -> String {
        var template = Array((NSTemporaryDirectory() + "herald-pg-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TemporaryPostgresError("could not create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: created)
        if let owner { try chown(path, to: owner) }
        return path
    }

    private static func chown(_ path: String, to user: String) throws {
        guard let entry = getpwnam(user) else {
            throw TemporaryPostgresError(
                "PostgreSQL cannot run as root and the user '\(user)' does not exist; create it (useradd \(user)) or run as a non-root user")
        }
        guard Glibc.chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw TemporaryPostgresError("chown \(path) to \(user) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Asks the kernel for a free loopback port.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TemporaryPostgresError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TemporaryPostgresError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why a throwaway cluster could not be made; the message says what to fix.
public struct TemporaryPostgresError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
