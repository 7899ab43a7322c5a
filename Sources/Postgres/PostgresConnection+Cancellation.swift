import CLibPQ
import Dispatch
import Logging
import Synchronization

/// Where one statement is, as seen by the task-cancellation handler and the connection's queue.
final class StatementCancellation: Sendable {
    enum Phase: Sendable {
        /// Handed to the connection's queue, not started.
        case waiting
        /// libpq is running it.
        case running
        /// The task was cancelled before it started: it will not run.
        case cancelledBeforeStart
        /// The task was cancelled while it ran: a cancel request went to the server.
        case cancelRequested
        /// It ran past the connection's client-side statement timeout: a cancel request went to the server.
        case timeoutRequested
        /// It returned.
        case finished
    }
    let phase = Mutex(Phase.waiting)
}

extension PostgresConnection {
    /// Longest a statement waits for an earlier statement's cancel request to reach the server.
    /// Without that wait a late request could stop the wrong statement; past it, the connection
    /// is given up instead.
    static let cancelDeliveryTimeout = DispatchTimeInterval.seconds(10)

    /// Runs `body` (libpq calls) on the connection's queue; if the calling task is cancelled while
    /// `body` runs, asks the server to cancel the statement (`PQcancel`, from another thread, since
    /// the queue's thread is blocked in libpq) and throws `CancellationError` once it has stopped.
    ///
    /// A task that is already cancelled when it calls runs the statement normally, so cleanup
    /// such as `ROLLBACK` or writing results still works in it. A statement that completes before
    /// the cancel request lands returns its result.
    func runCancellable<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if Task.isCancelled { return try await onQueue(body) }
        let statement = StatementCancellation()
        return try await withTaskCancellationHandler {
            try await onQueue { try self.runSync(statement, body) }
        } onCancel: {
            self.requestCancel(statement)
        }
    }

    /// On the queue: waits out earlier cancel requests, then runs `body` unless cancelled already.
    private func runSync<T>(_ statement: StatementCancellation, _ body: () throws -> T) throws -> T {
        if cancelsInFlight.wait(timeout: .now() + Self.cancelDeliveryTimeout) == .timedOut {
            markBroken()
            throw PostgresError(code: .connectionFailed, message: "a cancel request did not reach the server in time; connection given up")
        }
        let start = statement.phase.withLock { phase -> Bool in
            guard case .waiting = phase else { return false }
            phase = .running
            return true
        }
        guard start else { throw CancellationError() }
        let timer = scheduleClientTimeout(statement)
        defer { timer?.cancel() }
        do {
            let value = try body()
            statement.phase.withLock { $0 = .finished }
            return value
        } catch var error as PostgresError {
            let requested = statement.phase.withLock { phase -> StatementCancellation.Phase in
                defer { phase = .finished }
                return phase
            }
            guard error.sqlState == "57014" else { throw error }
            switch requested {
            case .cancelRequested:
                // 57014 is also statement_timeout; only our own request becomes a CancellationError.
                throw CancellationError()
            case .timeoutRequested:
                // The server says "due to user request"; say which request it was.
                error.message = "canceling statement due to statement timeout (sent by Herald, as a transaction pooler keeps no statement_timeout)"
                throw error
            case .waiting, .running, .cancelledBeforeStart, .finished:
                throw error
            }
        }
    }

    /// Behind a transaction pooler, `SET statement_timeout` would not stay with this client, so the
    /// connection sends the cancel itself once a statement has run `clientStatementTimeout`.
    /// PgBouncer forwards a cancel request to the server connection this client is linked to.
    private func scheduleClientTimeout(_ statement: StatementCancellation) -> DispatchWorkItem? {
        guard let timeout = configuration.clientStatementTimeout else { return nil }
        let item = DispatchWorkItem { self.requestCancel(statement, phase: .timeoutRequested) }
        let nanoseconds = Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
        DispatchQueue.global(qos: .userInitiated).asyncAfter(deadline: .now() + .nanoseconds(max(1, nanoseconds)), execute: item)
        return item
    }

    /// The task-cancellation handler (and the client-side timeout, with `phase: .timeoutRequested`):
    /// stops a running statement, or keeps a waiting one from starting.
    private func requestCancel(_ statement: StatementCancellation, phase requested: StatementCancellation.Phase = .cancelRequested) {
        let send = statement.phase.withLock { phase -> Bool in
            switch phase {
            case .waiting:
                guard case .cancelRequested = requested else { return false }
                phase = .cancelledBeforeStart
                return false
            case .running:
                phase = requested
                // Entered before the statement can finish, so the next one waits for this request.
                cancelsInFlight.enter()
                return true
            case .cancelledBeforeStart, .cancelRequested, .timeoutRequested, .finished:
                return false
            }
        }
        guard send else { return }
        guard cancelHandle != nil else {
            cancelsInFlight.leave()
            return
        }
        // PQcancel opens a connection of its own and blocks until the server took the request:
        // not on the caller's (cooperative) thread. PQcancel is thread-safe; `self` keeps the
        // PGcancel alive until it returns.
        DispatchQueue.global(qos: .userInitiated).async {
            var message = [CChar](repeating: 0, count: 256)
            if PQcancel(self.cancelHandle, &message, Int32(message.count)) == 0 {
                let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                self.logger.debug("could not send a cancel request", metadata: ["error": "\(text)"])
            }
            self.cancelsInFlight.leave()
        }
    }
}
