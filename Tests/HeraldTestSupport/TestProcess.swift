public import DevTools
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Child processes of the test run (`herald work`, `herald serve` …) that cannot outlive it.
///
/// Each child is started under `setpriv --pdeathsig KILL` (util-linux), so the kernel kills it
/// when the test process dies, however it dies (a crash in the middle of a test included). The
/// parent-death signal fires when the *thread* that started the child ends, so every child is
/// started from one thread that lives as long as the process, never from a cooperative-pool
/// thread that may be retired. Children still running when the process exits normally are
/// killed too, and tests kill theirs on every path out (`killIfRunning()` in a `defer`).
public enum TestProcess {
    /// The `herald` executable under test: `HERALD_BIN`, which `herald tempdb` (and so `make test`) sets.
    public static func heraldBinary() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["HERALD_BIN"], FileManager.default.isExecutableFile(atPath: path) else {
            throw TestDatabase.MissingHarness(description: "HERALD_BIN is not set: run the suite with `make test`")
        }
        return path
    }

    /// Starts `executable` with `arguments` like `ChildProcess.spawn`, tied to this process's life.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdout: ChildProcess.Output = .inherit, stderr: ChildProcess.Output = .inherit
    ) throws -> ChildProcess {
        let wrapper = "/usr/bin/setpriv"
        let useWrapper = FileManager.default.isExecutableFile(atPath: wrapper)
        let child = try SpawnThread.shared.run {
            useWrapper
                ? try ChildProcess.spawn(wrapper, ["--pdeathsig", "KILL", "--", executable] + arguments,
                                         environment: environment, stdout: stdout, stderr: stderr)
                : try ChildProcess.spawn(executable, arguments, environment: environment, stdout: stdout, stderr: stderr)
        }
        Registry.shared.add(child)
        return child
    }
}

extension ChildProcess {
    /// SIGKILLs the child unless it has already exited and been reaped, then reaps it.
    public func killIfRunning() {
        guard exitStatusIfExited() == nil else { return }
        send(SIGKILL)
        wait()
    }
}

/// The one long-lived thread that starts every child (see `TestProcess`).
private final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()
    private let condition = NSCondition()
    private var work: [() -> Void] = []  // guarded by `condition`

    private init() {
        let thread = Thread { [unowned self] in
            while true {
                condition.lock()
                while work.isEmpty { condition.wait() }
                let next = work.removeFirst()
                condition.unlock()
                next()
            }
        }
        thread.name = "test-process-spawner"
        thread.start()
    }

    func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, any Error>?
        condition.lock()
        work.append {
            result = Result { try body() }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try result!.get()
    }
}

/// Every child started, so those still running at a normal exit are killed.
private final class Registry: Sendable {
    static let shared: Registry = {
        let registry = Registry()
        atexit { Registry.shared.killAll() }
        return registry
    }()
    private let children = Mutex<[ChildProcess]>([])

    func add(_ child: ChildProcess) {
        children.withLock { children in
            children.removeAll { $0.exitStatusIfExited() != nil }
            children.append(child)
        }
    }

    func killAll() {
        for child in children.withLock({ $0 }) where child.exitStatusIfExited() == nil { child.send(SIGKILL) }
    }
}
