import CLibPQ
import Dispatch
import Foundation
public import Logging
import Synchronization

/// A notification delivered by `NOTIFY channel, 'payload'`.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel it was sent on.
    public var channel: String
    /// The payload ('' when none was given).
    public var payload: String
    /// The PID of the notifying backend.
    public var senderPID: Int32
}

/// What a listener reports.
public enum PostgresListenerEvent: Sendable, Hashable {
    /// `LISTEN` is in effect (first connect, or after a reconnect). Notifications sent while the
    /// listener was disconnected are lost, so a consumer should re-check for work on this event.
    case listening
    /// A notification arrived.
    case notification(PostgresNotification)
}

/// A dedicated connection that LISTENs on channels and delivers notifications as an
/// `AsyncStream`.
///
/// It wakes on socket readiness (a dispatch read source on the libpq socket), never by
/// polling. When the connection drops it reconnects with backoff and reports `.listening` again.
/// Iteration ends when the consuming task is cancelled or the stream is dropped.
public struct PostgresListener: Sendable {
    public let configuration: PostgresConfiguration
    public let channels: [String]
    let logger: Logger
    /// Delay before reconnect attempts (doubles up to 5 s).
    public var reconnectDelay: Duration

    public init(
        configuration: PostgresConfiguration, channels: [String],
        reconnectDelay: Duration = .milliseconds(100), logger: Logger = Logger(label: "herald.postgres.listener")
    ) {
        self.configuration = configuration
        self.channels = channels
        self.reconnectDelay = reconnectDelay
        self.logger = logger
    }

    /// Starts listening and returns the events. Each call opens its own connection.
    public func events() -> AsyncStream<PostgresListenerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PostgresListenerEvent.self, bufferingPolicy: .bufferingNewest(4096))
        let driver = ListenerDriver(listener: self, continuation: continuation)
        continuation.onTermination = { _ in driver.stop() }
        driver.start()
        return stream
    }
}

/// Runs entirely on its own dispatch queue: connect, LISTEN, read source, reconnect.
private final class ListenerDriver: @unchecked Sendable {
    let listener: PostgresListener
    let continuation: AsyncStream<PostgresListenerEvent>.Continuation
    let queue = DispatchQueue(label: "herald.postgres.listener")
    // Queue-confined state.
    var handle: OpaquePointer?
    var source: (any DispatchSourceRead)?
    var stopped = false
    var delay: Duration

    init(listener: PostgresListener, continuation: AsyncStream<PostgresListenerEvent>.Continuation) {
        self.listener = listener
        self.continuation = continuation
        self.delay = listener.reconnectDelay
    }

    func start() { queue.async { self.connect() } }

    func stop() {
        queue.async {
            self.stopped = true
            self.teardown()
        }
    }

    private func connect() {
        guard !stopped else { return }
        guard let handle = PQconnectdb(listener.configuration.libpqConnectionString), PQstatus(handle) == CONNECTION_OK else {
            scheduleReconnect(reason: "connect failed")
            return
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        for channel in listener.channels {
            guard let quoted = PQescapeIdentifier(handle, channel, channel.utf8.count) else { continue }
            let statement = "LISTEN " + String(cString: quoted)
            PQfreemem(quoted)
            let result = PQexec(handle, statement)
            let ok = PQresultStatus(result) == PGRES_COMMAND_OK
            PQclear(result)
            if !ok {
                PQfinish(handle)
                scheduleReconnect(reason: "LISTEN failed")
                return
            }
        }
        self.handle = handle
        delay = listener.reconnectDelay
        let source = DispatchSource.makeReadSource(fileDescriptor: PQsocket(handle), queue: queue)
        source.setEventHandler { [unowned self] in self.readable() }
        source.resume()
        self.source = source
        continuation.yield(.listening)
    }

    private func readable() {
        guard let handle else { return }
        if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
            listener.logger.debug("listener connection lost")
            teardown()
            scheduleReconnect(reason: "connection lost")
            return
        }
        while let notify = PQnotifies(handle) {
            let event = PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: String(cString: notify.pointee.extra),
                senderPID: notify.pointee.be_pid)
            PQfreemem(notify)
            continuation.yield(.notification(event))
        }
    }

    private func teardown() {
        // Close the socket only once the read source has stopped watching it.
        let closing = handle
        if let source {
            source.setCancelHandler { if let closing { PQfinish(closing) } }
            source.cancel()
        } else if let closing {
            PQfinish(closing)
        }
        source = nil
        handle = nil
    }

    private func scheduleReconnect(reason: String) {
        guard !stopped else { return }
        listener.logger.debug("listener reconnecting", metadata: ["reason": "\(reason)"])
        let wait = delay
        delay = min(delay * 2, .seconds(5))
        let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { self.connect() }
    }
}

extension PostgresConnection {
    /// Sends `NOTIFY` through `pg_notify`, with the channel and payload as parameters.
    public func notify(channel: String, payload: String = "") async throws {
        try await query("SELECT pg_notify($1, $2)", [channel, payload])
    }
}
