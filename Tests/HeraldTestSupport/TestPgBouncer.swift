import DevTools
import Foundation
public import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// A real PgBouncer in front of the test cluster, on a free loopback port, in a temporary
/// directory of its own.
///
/// When the tests run as root it runs as `postgres` (like the cluster): `setpriv` changes the
/// user and then sets the parent-death signal (a credential change would clear an earlier one),
/// so PgBouncer dies with the test process however that ends. Stop it with `stop()` in a `defer`.
public final class TestPgBouncer: Sendable {
    /// The port PgBouncer listens on (127.0.0.1).
    public let port: Int
    /// Its directory: `pgbouncer.ini`, `userlist.txt`, `pgbouncer.log`.
    public let directory: String
    let process: ChildProcess

    /// Where Debian's `pgbouncer` package puts the binary; `scripts/bootstrap` installs it.
    public static let executable = "/usr/sbin/pgbouncer"

    /// Starts PgBouncer in `poolMode` with `poolSize` server connections per database and user,
    /// forwarding every database to the server of `server` (trust authentication, as the test
    /// cluster uses), and waits until it accepts connections.
    /// Throws, with what to do, when `pgbouncer` is not installed.
    public static func start(
        in front: PostgresConfiguration, poolMode: String = "transaction", poolSize: Int = 3
    ) async throws -> TestPgBouncer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestDatabase.MissingHarness(description: "\(executable) is missing: run scripts/bootstrap (it installs Debian's pgbouncer)")
        }
        guard let components = URLComponents(string: front.connectionString), let host = components.host, let serverPort = components.port else {
            throw TestDatabase.MissingHarness(description: "the test database URL has no host and port: \(front.redacted)")
        }
        let runAs = getuid() == 0 ? "postgres" : nil
        let directory = try makeDirectory(owner: runAs)
        let port = try TemporaryPostgres.freePort()
        let configuration = """
            [databases]
            * = host=\(host) port=\(serverPort)

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory)/userlist.txt
            admin_users = postgres
            pool_mode = \(poolMode)
            default_pool_size = \(poolSize)
            min_pool_size = 0
            reserve_pool_size = 0
            max_client_conn = 1000
            server_round_robin = 1
            logfile = \(directory)/pgbouncer.log
            pidfile = \(directory)/pgbouncer.pid

            """
        try configuration.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        try "\"postgres\" \"\"\n".write(toFile: directory + "/userlist.txt", atomically: true, encoding: .utf8)
        let arguments = (runAs.map { ["--reuid=\($0)", "--regid=\($0)", "--init-groups"] } ?? [])
            + ["--pdeathsig", "KILL", "--", executable, directory + "/pgbouncer.ini"]
        let process = try TestProcess.spawn("/usr/bin/setpriv", arguments, stdout: .file(directory + "/stdout.log"), stderr: .file(directory + "/stdout.log"))
        let bouncer = TestPgBouncer(port: port, directory: directory, process: process)
        let ready = await eventually(timeout: .seconds(15)) {
            guard process.exitStatusIfExited() == nil else { return true }
            let connection = try await PostgresConnection.connect(configuration: bouncer.configuration(database: "postgres", pooler: .transaction))
            await connection.close()
            return true
        }
        guard ready, process.exitStatusIfExited() == nil else {
            let log = bouncer.log
            bouncer.stop()
            throw TestDatabase.MissingHarness(description: "pgbouncer did not start: \(log)")
        }
        return bouncer
    }

    private init(port: Int, directory: String, process: ChildProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// A connection to `database` through PgBouncer, as user `postgres`.
    public func configuration(database: String, pooler: PostgresPoolerMode) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: "postgres://postgres@127.0.0.1:\(port)/\(database)", pooler: pooler)
    }

    /// PgBouncer's log and output so far, for failure messages.
    public var log: String {
        ["pgbouncer.log", "stdout.log"].compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.joined()
    }

    /// Runs `command` (`SHOW POOLS`, `SHOW SERVERS` …) on PgBouncer's admin console with `psql`,
    /// which speaks the simple query protocol the console needs; returns the rows' cells.
    public func admin(_ command: String) async throws -> [[String]] {
        let output = directory + "/admin-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let psql = try ChildProcess.spawn(
            "psql", ["-X", "-A", "-t", "-F", "|", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "pgbouncer", "-c", command],
            stdout: .file(output), stderr: .file(output))
        let status = await psql.exitStatus()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestDatabase.MissingHarness(description: "psql \(command) failed: \(text)") }
        return text.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Kills PgBouncer and removes its directory.
    public func stop() {
        process.killIfRunning()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func makeDirectory(owner: String?) throws -> String {
        var template = Array((NSTemporaryDirectory() + "herald-pgbouncer-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestDatabase.MissingHarness(description: "could not create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: created)
        if let owner {
            guard let entry = getpwnam(owner), chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
                throw TestDatabase.MissingHarness(description: "could not give \(path) to user \(owner)")
            }
        }
        return path
    }
}
