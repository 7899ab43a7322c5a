public import Logging
import Synchronization

/// A small pool of connections to one database.
///
/// Connections are opened lazily up to `maximumConnections`. A connection that failed at the
/// transport level, or whose server closed it while idle (for example across a server restart),
/// is discarded; the next checkout opens a fresh one. Waiters are served first in, first out.
///
/// A connection is never handed out inside a transaction: one returned with a transaction open
/// or failed (a body that ran `BEGIN` and neither committed nor rolled back, or was cancelled
/// mid-transaction) is rolled back on release, and discarded if that fails.
public final class PostgresPool: Sendable {
    /// Pool settings.
    public struct Configuration: Sendable {
        /// Upper bound on open connections. Default 8.
        public var maximumConnections: Int
        /// How long a checkout waits for a free connection before failing with `.poolTimeout`. Default 30 s.
        public var checkoutTimeout: Duration

        public init(maximumConnections: Int = 8, checkoutTimeout: Duration = .seconds(30)) {
            self.maximumConnections = max(1, maximumConnections)
            self.checkoutTimeout = checkoutTimeout
        }
    }

    /// Where the connections go.
    public let connectionConfiguration: PostgresConfiguration
    public let configuration: Configuration
    let logger: Logger

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<PostgresConnection?, any Error>)] = []
        var nextWaiterID = 0
        var closed = false
    }
    private let state = Mutex(State())

    public init(
        configuration connectionConfiguration: PostgresConfiguration, pool: Configuration = .init(),
        logger: Logger = Logger(label: "herald.postgres.pool")
    ) {
        self.connectionConfiguration = connectionConfiguration
        self.configuration = pool
        self.logger = logger
    }

    /// Checks out a connection, runs `body`, and returns the connection to the pool.
    ///
    /// A task cancelled while it waited for the connection (a job's timeout during a slow connect)
    /// gets `CancellationError` instead of running `body`: a statement started in a cancelled task
    /// runs to its end, uncancellable (``PostgresConnection`` lets such statements run so that
    /// cleanup works), which once held a timed-out handler's `pg_sleep(60)` for the full minute.
    /// A task that was cancelled before it asked still runs `body`: that is cleanup.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let cancelledBefore = Task.isCancelled
        let connection = try await checkout()
        if !cancelledBefore && Task.isCancelled {
            await release(connection)
            throw CancellationError()
        }
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection: commit on success, rollback on throw.
    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { try await $0.transaction(body) }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    /// Closes idle connections and refuses new checkouts; connections in use close on release.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer { state.idle.removeAll(); state.waiters.removeAll() }
            state.open -= state.idle.count
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: PostgresError(code: .closed, message: "pool is closed")) }
        for connection in idle { await connection.close() }
    }

    /// Number of open connections (idle and in use).
    public var openConnections: Int { state.withLock { $0.open } }

    // MARK: - Checkout

    private enum Decision {
        case use(PostgresConnection)
        case open
        case wait
        case closed
    }

    func checkout() async throws -> PostgresConnection {
        while true {
            let decision: Decision = state.withLock { state in
                if state.closed { return .closed }
                if let connection = state.idle.popLast() { return .use(connection) }
                if state.open < configuration.maximumConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            switch decision {
            case .closed:
                throw PostgresError(code: .closed, message: "pool is closed")
            case .use(let connection):
                if !connection.isBroken, await connection.isAlive() { return connection }
                logger.debug("discarding a dead pooled connection")
                discard(connection)
            case .open:
                do {
                    return try await PostgresConnection.connect(configuration: connectionConfiguration, logger: logger)
                } catch {
                    state.withLock { $0.open -= 1 }
                    wakeOneWaiter()
                    throw error
                }
            case .wait:
                if let connection = try await waitForConnection() { return connection }
            }
        }
    }

    /// Waits until a connection is released (returned) or a slot frees up (nil: try again).
    private func waitForConnection() async throws -> PostgresConnection? {
        let timeout = configuration.checkoutTimeout
        return try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
            let id = state.withLock { state -> Int in
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    let enqueued = self.state.withLock { state -> Bool in
                        if state.closed { return false }
                        state.waiters.append((id, continuation))
                        return true
                    }
                    if !enqueued { continuation.resume(throwing: PostgresError(code: .closed, message: "pool is closed")) }
                }
            }
            group.addTask {
                // Ends at the timeout, or early when the waiting task is cancelled: then the
                // waiter leaves the queue with CancellationError (not a timeout it did not reach).
                let timedOut = (try? await Task.sleep(for: timeout)) != nil
                let waiter = self.state.withLock { state -> CheckedContinuation<PostgresConnection?, any Error>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                waiter?.resume(throwing: timedOut ? PostgresError(code: .poolTimeout, message: "no connection free within \(timeout)") : CancellationError())
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            if let first { return first }
            // The timer finished first; the waiter was either failed by it, or served just before.
            return try await group.next() ?? nil
        }
    }

    private func release(_ connection: PostgresConnection) async {
        // The common case costs nothing: the last statement left the session idle.
        var reusable = !connection.isBroken
        if reusable && !connection.isIdleOutsideTransaction { reusable = await connection.resetForReuse() }
        if !reusable {
            logger.debug("discarding a returned connection", metadata: ["broken": "\(connection.isBroken)"])
            discard(connection)
            return
        }
        enum Next { case handOver(CheckedContinuation<PostgresConnection?, any Error>), keep, drop }
        let next = state.withLock { state -> Next in
            if state.closed {
                state.open -= 1
                return .drop
            }
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst().continuation) }
            state.idle.append(connection)
            return .keep
        }
        if case .handOver(let waiter) = next { waiter.resume(returning: connection) }
        // .drop: the last reference goes away here and deinit closes the PGconn.
    }

    /// Forgets a connection (its deinit closes the socket) and lets a waiter open a new one.
    private func discard(_ connection: PostgresConnection) {
        state.withLock { $0.open -= 1 }
        wakeOneWaiter()
    }

    /// A freed slot lets one waiter open a new connection.
    private func wakeOneWaiter() {
        let waiter = state.withLock { state in state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation }
        waiter?.resume(returning: nil)
    }
}
