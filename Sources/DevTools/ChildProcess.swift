public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// Foundation's `Process.waitUntilExit` never returns on Linux when the child leaves a daemon
/// behind (as `pg_ctl start` does), so the throwaway cluster, the test harness and the
/// multi-process tests use this instead.
public final class ChildProcess: Sendable {
    /// Where a child's output goes.
    public enum Output: Sendable {
        case inherit
        case null
        /// Appended to this file (created if missing).
        case file(String)
    }

    /// The child's process id.
    public let pid: pid_t
    /// The exit status once reaped (by `wait()` or `exitStatusIfExited()`).
    private let reaped = Mutex<Int32?>(nil)

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdout: Output = .inherit, stderr: Output = .inherit
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        markDescriptorsCloseOnExec()
        for (descriptor, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling even if we ignore SIGINT/SIGTERM.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, &attributes, argv, env)
        guard status == 0 else {
            throw TemporaryPostgresError("could not start \(executable): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Only stdin/stdout/stderr may cross over to a child: a busy parent (a test process with
    /// thousands of sockets) would otherwise leave PostgreSQL too few descriptors to start.
    /// Setting FD_CLOEXEC on our own descriptors changes nothing for this process, which never execs.
    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let descriptor = Int32(entry), descriptor > 2 else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Sends a signal (SIGTERM, SIGKILL …).
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Blocks until the child exits; returns its exit status, or 128 + signal number.
    @discardableResult
    public func wait() -> Int32 {
        if let status = reaped.withLock({ $0 }) { return status }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return statusReapedElsewhere() }
        }
        let decoded = Self.decode(status)
        reaped.withLock { $0 = decoded }
        return decoded
    }

    /// The exit status if the child has exited, without blocking; nil while it runs.
    public func exitStatusIfExited() -> Int32? {
        if let status = reaped.withLock({ $0 }) { return status }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result < 0 && errno == ECHILD { return statusReapedElsewhere() }
        guard result == pid else { return nil }
        let decoded = Self.decode(status)
        reaped.withLock { $0 = decoded }
        return decoded
    }

    /// The status stored by whichever caller's `waitpid` reaped the child (ECHILD here): that
    /// caller stores it right after its `waitpid` returns, so wait for it briefly rather than
    /// report -1. Seen as a spurious exit status -1 when the test registry pruned exited children
    /// while a test was waiting on one.
    private func statusReapedElsewhere() -> Int32 {
        for _ in 0..<5_000 {
            if let status = reaped.withLock({ $0 }) { return status }
            usleep(1_000)
        }
        return -1
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Waits on a dedicated thread, so no cooperative-pool thread blocks.
    public func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.wait()) }
            thread.start()
        }
    }
}
