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
///
/// A connection that only listens sends nothing, so a network that goes silent (a partition, a
/// half-open connection after a NAT or firewall forgot it) would never be noticed: no error comes,
/// and no notification either. So the listener repeats its `LISTEN` statements (an idempotent round trip) every `pingInterval`
/// and reconnects when the answer has not come by the next one.
public struct PostgresListener: Sendable {
    public let configuration: PostgresConfiguration
    public let channels: [String]
    let logger: Logger
    /// Delay before reconnect attempts (doubles up to 5 s).
    public var reconnectDelay: Duration
    /// How often the listener checks that the server still answers; a silent connection is
    /// replaced within twice this. Default 5 s.
    public var pingInterval: Duration

    public init(
        configuration: PostgresConfiguration, channels: [String],
        reconnectDelay: Duration = .milliseconds(100), pingInterval: Duration = .seconds(5),
        logger: Logger = Logger(label: "herald.postgres.listener")
    ) {
        self.configuration = configuration
        self.channels = channels
        self.reconnectDelay = reconnectDelay
        self.pingInterval = pingInterval
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
    var pinger: (any DispatchSourceTimer)?
    /// Whether a ping is waiting for its answer.
    var pingOutstanding = false
    /// The LISTEN statements of this connection, joined; re-sent as the ping (see `ping()`).
    var listenStatements = ""
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
        var statements: [String] = []
        for channel in listener.channels {
            guard let quoted = PQescapeIdentifier(handle, channel, channel.utf8.count) else { continue }
            let statement = "LISTEN " + String(cString: quoted)
            PQfreemem(quoted)
            statements.append(statement)
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
        listenStatements = statements.joined(separator: "; ")
        delay = listener.reconnectDelay
        let source = DispatchSource.makeReadSource(fileDescriptor: PQsocket(handle), queue: queue)
        source.setEventHandler { [unowned self] in self.readable() }
        source.resume()
        self.source = source
        let pinger = DispatchSource.makeTimerSource(queue: queue)
        let interval = Self.dispatchInterval(listener.pingInterval)
        pinger.schedule(deadline: .now() + interval, repeating: interval)
        pinger.setEventHandler { [unowned self] in self.ping() }
        pinger.resume()
        self.pinger = pinger
        pingOutstanding = false
        continuation.yield(.listening)
    }

    /// Sends a ping (the LISTEN statements again), or gives up on the connection when the last one was never answered.
    private func ping() {
        guard let handle else { return }
        if pingOutstanding {
            listener.logger.notice("listener connection went silent; reconnecting", metadata: ["waited_ms": "\(listener.pingInterval.components.seconds * 1000 + listener.pingInterval.components.attoseconds / 1_000_000_000_000_000)"])
            teardown()
            scheduleReconnect(reason: "no answer to a ping")
            return
        }
        // The ping repeats the LISTEN statements rather than `SELECT 1`: LISTEN on a channel
        // already listened to does nothing, and `pg_stat_activity.query` keeps saying what this
        // connection is for (the console and operators count workers by it).
        guard PQsendQuery(handle, listenStatements.isEmpty ? "SELECT 1" : listenStatements) == 1 else {
            teardown()
            scheduleReconnect(reason: "ping could not be sent")
            return
        }
        pingOutstanding = true
    }

    private func readable() {
        guard let handle else { return }
        if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
            listener.logger.debug("listener connection lost")
            teardown()
            scheduleReconnect(reason: "connection lost")
            return
        }
        // The ping's answer: read it whole, then the connection is idle again.
        if pingOutstanding {
            while PQisBusy(handle) == 0 {
                guard let result = PQgetResult(handle) else {
                    pingOutstanding = false
                    break
                }
                PQclear(result)
            }
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
        pinger?.cancel()
        pinger = nil
        pingOutstanding = false
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
        queue.asyncAfter(deadline: .now() + Self.dispatchInterval(wait)) { self.connect() }
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        .nanoseconds(Int(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000))
    }
}

extension PostgresConnection {
    /// Sends `NOTIFY` through `pg_notify`, with the channel and payload as parameters.
    public func notify(channel: String, payload: String = "") async throws {
        try await query("SELECT pg_notify($1, $2)", [channel, payload])
    }
}
