import Foundation
import HeraldTestSupport
import Postgres
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy in front of PostgreSQL that forwards every byte both ways. It can cut the
/// database off (close every connection and refuse new ones until restored), and when armed it
/// drops the answer of the next claim that claims jobs: it lets the claim reach the server, waits
/// until the server has answered it completely (the claim has committed: `ReadyForQuery`), and
/// then closes both sides without forwarding a byte of that answer. The worker sees a broken connection; the database
/// has the rows marked `running` under the worker's id.
///
/// It can also partition the database off silently: every connection open at that moment, and
/// every connection made until `heal()`, stays open and swallows what is sent in either direction,
/// as a network that drops packets does (no FIN, no RST: only a timeout on the client side can
/// tell). The swallowed connections stay dead after `heal()`, as after a NAT or firewall forgot them.
///
/// It reads just enough of the wire protocol for that: the client's untyped start-up messages,
/// then typed messages (`Parse` names a statement's text, `Bind` and `Query` run one), and the
/// server's typed messages once a claim was seen.
final class FaultProxy: Sendable {
    /// Text that only the claim statement contains.
    static let claimMarker = "SET state = 'running', attempt = j.attempt + 1"

    let port: UInt16
    private let listener: Int32
    private let targetPort: UInt16
    private struct State {
        var armed = false
        var droppedAt: ContinuousClock.Instant?
        var sockets: Set<Int32> = []
        var closed = false
        /// Set by the accept loop when it closed the listener: its number may belong to another socket now.
        var listenerClosed = false
        var cutOff = false
        var partitioned = false
        var connections: [Connection] = []
    }
    private let state = Mutex(State())

    /// Listens on a free loopback port and forwards to `127.0.0.1:targetPort`.
    init(targetPort: UInt16) throws {
        self.targetPort = targetPort
        (listener, port) = try LoopbackSocket.listen()
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The same database, reached through this proxy.
    static func configuration(_ original: PostgresConfiguration, port: UInt16) throws -> PostgresConfiguration {
        guard var components = URLComponents(string: original.connectionString) else { throw ProxyError("not a URL") }
        components.port = Int(port)
        var copy = original
        copy.connectionString = try components.string ?? { throw ProxyError("bad URL") }()
        return copy
    }

    /// The port of a `postgres://` configuration.
    static func port(of configuration: PostgresConfiguration) throws -> UInt16 {
        guard let port = URLComponents(string: configuration.connectionString)?.port else { throw ProxyError("no port in URL") }
        return UInt16(port)
    }

    /// Drops the answer of the next claim (once).
    func armClaimDrop() { state.withLock { $0.armed = true } }

    /// When the dropped claim's answer was complete on the server side and the connection closed.
    var droppedAt: ContinuousClock.Instant? { state.withLock { $0.droppedAt } }

    /// Closes every connection and refuses new ones until `restore()`: the database is unreachable.
    func cutOff() {
        // Under the lock: a socket still in the set is not closed yet (`end` removes it under the
        // lock before closing it), so this never shuts down a descriptor number that another
        // part of the test process has been given since.
        state.withLock { state in
            state.cutOff = true
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    /// Swallows every byte of every connection open now or made before `heal()`, without closing any.
    func partition() {
        let open = state.withLock { state -> [Connection] in
            state.partitioned = true
            return state.connections
        }
        for connection in open { connection.silenced.store(true, ordering: .sequentiallyConsistent) }
    }

    /// New connections work again; the ones swallowed during the partition stay swallowed.
    func heal() { state.withLock { $0.partitioned = false } }

    /// Accepts connections again after `cutOff()`.
    func restore() { state.withLock { $0.cutOff = false } }

    /// Stops listening and closes every connection.
    func close() {
        // Idempotent, and all under the lock: tests close in a `defer` and sometimes earlier too,
        // and a second shutdown() of the listener after the accept loop closed it hit whatever
        // socket had been given that number since (another test's database connection: "server
        // closed the connection unexpectedly"). The accept loop closes the listener itself.
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
            if !state.listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                state.withLock { state in
                    state.listenerClosed = true
                    Glibc.close(listener)
                }
                return
            }
            if state.withLock({ $0.cutOff }) {
                Glibc.close(client)
                continue
            }
            let server = connectTarget()
            guard server >= 0, track(client, server) else {
                Glibc.close(client)
                if server >= 0 { Glibc.close(server) }
                continue
            }
            let connection = Connection(client: client, server: server)
            state.withLock { state in
                state.connections.removeAll { $0.finished.load(ordering: .relaxed) == 2 }
                state.connections.append(connection)
                if state.partitioned { connection.silenced.store(true, ordering: .sequentiallyConsistent) }
            }
            Thread { [self] in clientToServer(connection) }.start()
            Thread { [self] in serverToClient(connection) }.start()
        }
    }

    private func track(_ sockets: Int32...) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.sockets.formUnion(sockets)
            return true
        }
    }

    private func connectTarget() -> Int32 { LoopbackSocket.connect(port: targetPort) }

    /// One proxied connection: both sockets and whether its current answer is being dropped.
    private final class Connection: Sendable {
        let client: Int32
        let server: Int32
        let dropping = Atomic<Bool>(false)
        /// Partitioned: read and discard both ways.
        let silenced = Atomic<Bool>(false)
        let finished = Atomic<Int>(0)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
    }

    private func clientToServer(_ connection: Connection) {
        var buffer: [UInt8] = []
        var startup = true
        var statements: [String: Bool] = [:]  // statement name → is the claim
        var chunk = [UInt8](repeating: 0, count: 65_536)
        loop: while true {
            let count = read(connection.client, &chunk, chunk.count)
            if count <= 0 { break }
            if connection.silenced.load(ordering: .sequentiallyConsistent) { continue }
            buffer += chunk[0..<count]
            // Look at every complete message before forwarding, so a claim is flagged before the server sees it.
            var offset = 0
            while true {
                if startup {
                    guard buffer.count - offset >= 8 else { break }
                    let length = Int(Self.int32(buffer, offset))
                    guard length >= 8, buffer.count - offset >= length else { break }
                    let code = Self.int32(buffer, offset + 4)
                    // SSLRequest and GSSENCRequest come before the real start-up message.
                    if code != 80_877_103 && code != 80_877_104 { startup = false }
                    offset += length
                } else {
                    guard buffer.count - offset >= 5 else { break }
                    let type = buffer[offset]
                    let length = Int(Self.int32(buffer, offset + 1))
                    guard length >= 4, buffer.count - offset >= 1 + length else { break }
                    let body = Array(buffer[(offset + 5)..<(offset + 1 + length)])
                    let strings = Self.cStrings(body, count: 2)
                    switch type {
                    case UInt8(ascii: "P") where strings.count == 2:
                        statements[strings[0]] = strings[1].contains(Self.claimMarker)
                    case UInt8(ascii: "B") where strings.count == 2:
                        if statements[strings[1]] == true { flagIfArmed(connection) }
                    case UInt8(ascii: "Q") where !strings.isEmpty:
                        if strings[0].contains(Self.claimMarker) { flagIfArmed(connection) }
                    default: break
                    }
                    offset += 1 + length
                }
            }
            if offset > 0 {
                if !LoopbackSocket.writeAll(connection.server, buffer[0..<offset]) { break loop }
                buffer.removeFirst(offset)
            }
        }
        end(connection)
    }

    private func flagIfArmed(_ connection: Connection) {
        let take = state.withLock { state -> Bool in
            defer { state.armed = false }
            return state.armed
        }
        if take { connection.dropping.store(true, ordering: .sequentiallyConsistent) }
    }

    private func serverToClient(_ connection: Connection) {
        var held: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(connection.server, &chunk, chunk.count)
            if count <= 0 { break }
            if connection.silenced.load(ordering: .sequentiallyConsistent) { continue }
            if !connection.dropping.load(ordering: .sequentiallyConsistent) {
                if !LoopbackSocket.writeAll(connection.client, chunk[0..<count]) { break }
                continue
            }
            // The claim's answer: keep it back until the server says it is done, then cut.
            held += chunk[0..<count]
            var offset = 0
            var complete = false
            var rows = false
            while held.count - offset >= 5 {
                let length = Int(Self.int32(held, offset + 1))
                guard held.count - offset >= 1 + length else { break }
                if held[offset] == UInt8(ascii: "D") { rows = true }
                if held[offset] == UInt8(ascii: "Z") { complete = true }
                offset += 1 + length
            }
            guard complete else { continue }
            if rows {
                state.withLock { $0.droppedAt = .now }
                break
            }
            // A claim that found nothing: pass it on and wait for one that claims jobs.
            connection.dropping.store(false, ordering: .sequentiallyConsistent)
            state.withLock { $0.armed = true }
            if !LoopbackSocket.writeAll(connection.client, held[...]) { break }
            held = []
        }
        end(connection)
    }

    /// Closes both sockets once both directions have stopped (either direction stopping first
    /// shuts the sockets down, which ends the other).
    private func end(_ connection: Connection) {
        shutdown(connection.client, Int32(SHUT_RDWR))
        shutdown(connection.server, Int32(SHUT_RDWR))
        if connection.finished.add(1, ordering: .sequentiallyConsistent).newValue == 2 {
            state.withLock { state in
                state.sockets.remove(connection.client)
                state.sockets.remove(connection.server)
            }
            Glibc.close(connection.client)
            Glibc.close(connection.server)
        }
    }

    private static func int32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// The first `count` NUL-terminated strings of `body`.
    private static func cStrings(_ body: [UInt8], count: Int) -> [String] {
        var strings: [String] = []
        var start = 0
        for (index, byte) in body.enumerated() where byte == 0 {
            strings.append(String(decoding: body[start..<index], as: UTF8.self))
            start = index + 1
            if strings.count == count { break }
        }
        return strings
    }

    struct ProxyError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
