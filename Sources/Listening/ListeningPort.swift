import Synchronization

/// The port an HTTP server bound, announced once: `herald serve`'s ``HeraldServer`` and the
/// sandbox providers both bind port 0 in tests and the demo, and their callers wait here for the
/// port the system picked.
///
/// The server calls ``markRunning(port:)`` from its `onServerRunning` callback and
/// ``markStopped()`` when its `run()` ends; callers `await` ``waitUntilRunning()``.
public final class ListeningPort: Sendable {
    private enum State {
        case notStarted(waiters: [CheckedContinuation<Int, Never>])
        case running(port: Int)
        case stopped
    }

    private let state = Mutex(State.notStarted(waiters: []))

    /// A port not yet bound.
    public init() {}

    /// Waits until the server listens and returns the bound port; `0` once the server stopped,
    /// in particular when it stopped before it could listen (the port was taken …). Before the
    /// server starts it waits.
    public func waitUntilRunning() async -> Int {
        await withCheckedContinuation { continuation in
            let immediate: Int? = state.withLock { state in
                switch state {
                case .notStarted(var waiters):
                    waiters.append(continuation)
                    state = .notStarted(waiters: waiters)
                    return nil
                case .running(let port):
                    return port
                case .stopped:
                    return 0
                }
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// The bound port, or `nil` while the server is not (yet) listening.
    public var port: Int? {
        state.withLock { state in
            if case .running(let port) = state { return port }
            return nil
        }
    }

    /// The server listens on `port`: wakes every waiter with it.
    public func markRunning(port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            guard case .notStarted(let waiters) = state else { return [] }
            state = .running(port: port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The server's `run()` ended: wakes any waiter with `0`, and later callers get `0` too.
    public func markStopped() {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            defer { state = .stopped }
            if case .notStarted(let waiters) = state { return waiters }
            return []
        }
        for waiter in waiters { waiter.resume(returning: 0) }
    }

    /// `http://HOST:PORT` of a server bound to `host` on `port`: loopback when it is bound to all
    /// addresses (or to `localhost`), an IPv6 address in brackets.
    public static func url(host: String, port: Int) -> String {
        let host = ["0.0.0.0", "::", "", "localhost"].contains(host) ? "127.0.0.1" : host
        return host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}
