import Foundation
public import Postgres
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy that forwards every byte both ways until `partition()`, which makes it a
/// silent network partition: nothing is forwarded any more, no socket is closed, and both peers'
/// packets go unacknowledged, as when a cable is cut or a host loses power.
///
/// Merely not reading would not do: the proxy's kernel would still acknowledge data and answer
/// keepalive probes, so neither TCP keepalives nor `tcp_user_timeout` could ever notice. So
/// `partition()` attaches a socket filter that drops every incoming segment to the proxy's
/// sockets before TCP sees it (Linux `SO_ATTACH_FILTER`, no privileges needed).
public final class PartitionProxy: Sendable {
    /// The loopback port to connect to instead of the target's.
    public let port: UInt16
    private let listener: Int32
    private let targetPort: UInt16
    private struct State {
        var sockets: Set<Int32> = []
        var partitioned = false
        var closed = false
        /// Set by the accept loop when it closed the listener: its number may belong to another socket now.
        var listenerClosed = false
    }
    private let state = Mutex(State())

    /// Listens on a free loopback port and forwards to `127.0.0.1:targetPort`.
    public init(targetPort: UInt16) throws {
        self.targetPort = targetPort
        (listener, port) = try LoopbackSocket.listen()
        Thread { [self] in acceptLoop() }.start()
    }

    /// A proxy in front of the server of `configuration` (a `postgres://` URL on 127.0.0.1).
    public convenience init(inFrontOf configuration: PostgresConfiguration) throws {
        guard let port = URLComponents(string: configuration.connectionString)?.port else { throw ProxyError("no port in the URL") }
        try self.init(targetPort: UInt16(port))
    }

    /// `original` with its port replaced by this proxy's.
    public func route(_ original: PostgresConfiguration) throws -> PostgresConfiguration {
        guard var components = URLComponents(string: original.connectionString) else { throw ProxyError("not a URL") }
        components.port = Int(port)
        var copy = original
        copy.connectionString = try components.string ?? { throw ProxyError("bad URL") }()
        return copy
    }

    /// From now on nothing passes, in either direction, on every connection (new ones included),
    /// and no segment is acknowledged; every socket stays open until `close()`.
    public func partition() {
        // Under the lock, so a socket being closed meanwhile (and its number reused elsewhere in
        // the test process) is never touched: `forward` removes it under the lock before closing.
        state.withLock { state in
            state.partitioned = true
            for socket in state.sockets { Self.dropEverything(socket) }
        }
    }

    /// Stops listening and closes every connection.
    public func close() {
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

    // MARK: - Forwarding

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
            let server = connectTarget()
            let partitioned = state.withLock { state -> Bool? in
                guard !state.closed, server >= 0 else { return nil }
                state.sockets.formUnion([client, server])
                return state.partitioned
            }
            guard let partitioned else {
                Glibc.close(client)
                if server >= 0 { Glibc.close(server) }
                continue
            }
            if partitioned {
                Self.dropEverything(client)
                Self.dropEverything(server)
            }
            let pair = Pair(client: client, server: server)
            Thread { [self] in forward(from: client, to: server, pair: pair) }.start()
            Thread { [self] in forward(from: server, to: client, pair: pair) }.start()
        }
    }

    /// One proxied connection; the second direction to stop closes both sockets.
    private final class Pair: Sendable {
        let client: Int32
        let server: Int32
        let finished = Atomic<Int>(0)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
    }

    private func forward(from source: Int32, to destination: Int32, pair: Pair) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(source, &chunk, chunk.count)
            if count <= 0 { break }
            // Bytes that arrived just before the partition are swallowed, not forwarded.
            if state.withLock({ $0.partitioned }) { continue }
            if !LoopbackSocket.writeAll(destination, chunk[0..<count]) { break }
        }
        // A partition never gets here: reads block until close() shuts the sockets down.
        shutdown(pair.client, Int32(SHUT_RDWR))
        shutdown(pair.server, Int32(SHUT_RDWR))
        if pair.finished.add(1, ordering: .sequentiallyConsistent).newValue == 2 {
            state.withLock { state in
                state.sockets.remove(pair.client)
                state.sockets.remove(pair.server)
            }
            Glibc.close(pair.client)
            Glibc.close(pair.server)
        }
    }

    private func connectTarget() -> Int32 { LoopbackSocket.connect(port: targetPort) }

    // MARK: - The silent drop

    /// Classic BPF, as in `<linux/filter.h>`.
    private struct SocketFilter {
        var code: UInt16
        var jumpIfTrue: UInt8
        var jumpIfFalse: UInt8
        var k: UInt32
    }
    private struct SocketFilterProgram {
        var length: UInt16
        var filter: UnsafeMutablePointer<SocketFilter>?
    }
    private static let attachFilterOption: Int32 = 26  // SO_ATTACH_FILTER

    /// Attaches the one-instruction program `ret #0`: every incoming segment is dropped before
    /// TCP processes it, so the kernel neither delivers nor acknowledges it.
    private static func dropEverything(_ socket: Int32) {
        let instruction = UnsafeMutablePointer<SocketFilter>.allocate(capacity: 1)
        defer { instruction.deallocate() }
        instruction.initialize(to: SocketFilter(code: 0x06 /* BPF_RET | BPF_K */, jumpIfTrue: 0, jumpIfFalse: 0, k: 0))
        var program = SocketFilterProgram(length: 1, filter: instruction)
        let result = setsockopt(socket, SOL_SOCKET, attachFilterOption, &program, socklen_t(MemoryLayout<SocketFilterProgram>.size))
        precondition(result == 0, "SO_ATTACH_FILTER failed: errno \(errno)")
    }

    /// The proxy could not start or was given an unusable configuration.
    public struct ProxyError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
