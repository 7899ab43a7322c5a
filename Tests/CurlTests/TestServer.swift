import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The request context of the loopback test server: it records the client's source port so tests can
/// count the TCP connections a client opened.
struct TestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remotePort: Int?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remotePort = source.channel.remoteAddress?.port
    }
}

/// A loopback HTTP server (Hummingbird 2) on 127.0.0.1 and an OS-chosen port, running for the
/// duration of `withTestServer`.
///
/// Routes:
/// - `/echo` (any method): echoes the body; `X-Echo-Method`, `X-Echo-Custom` (the request's `X-Custom`),
///   `X-Echo-Content-Type`, `X-Echo-Content-Length`.
/// - `/secure/echo`: `/echo`, but only with Basic credentials `TestServer.username`/`password`, else 401.
/// - `/status/:code`: that status, body `status <code>`.
/// - `/sleep/:ms`: sleeps, then `slept`.
/// - `/n/:value`: body `n=<value>`.
/// - `/bytes/:count` (GET, HEAD): a body of `count` bytes with `Content-Length`.
/// - `/chunked/:count`: a body of `count` bytes sent chunked in 64 KiB pieces, with no `Content-Length`.
final class TestServer: Sendable {
    static let username = "herald-user"
    static let password = "pa:ss w0rd/é"

    let port: Int
    private let clientPorts: PortLog

    init(port: Int, clientPorts: PortLog) {
        self.port = port
        self.clientPorts = clientPorts
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Distinct client source ports seen so far (one per TCP connection).
    var distinctClientPorts: Set<Int> { clientPorts.ports.withLock { Set($0) } }
}

/// Runs `body` against a fresh test server, stopping the server afterwards.
func withTestServer<T: Sendable>(_ body: @Sendable (TestServer) async throws -> T) async throws -> T {
    let recordedPorts = PortLog()
    let router = Router(context: TestContext.self)
    let recorder = PortRecorder(ports: recordedPorts)
    router.add(middleware: recorder)
    router.on("echo", method: .get, use: echo)
    router.on("echo", method: .post, use: echo)
    router.on("echo", method: .put, use: echo)
    router.on("echo", method: .patch, use: echo)
    router.on("echo", method: .delete, use: echo)
    router.on("echo", method: .head, use: echo)
    router.on("secure/echo", method: .get, use: secureEcho)
    router.on("secure/echo", method: .post, use: secureEcho)
    router.get("status/:code") { _, context -> Response in
        let code = try context.parameters.require("code", as: Int.self)
        return Response(
            status: .init(code: code),
            body: .init(byteBuffer: ByteBuffer(string: "status \(code)"))
        )
    }
    router.get("sleep/:ms") { _, context -> String in
        let milliseconds = try context.parameters.require("ms", as: Int.self)
        try await Task.sleep(for: .milliseconds(milliseconds))
        return "slept"
    }
    router.get("n/:value") { _, context -> String in
        "n=" + (try context.parameters.require("value"))
    }
    router.get("bytes/:count", use: bytes)
    router.head("bytes/:count", use: bytes)
    router.get("chunked/:count") { _, context -> Response in
        let count = try context.parameters.require("count", as: Int.self)
        return Response(status: .ok, body: ResponseBody { writer in
            var left = count
            while left > 0 {
                let piece = min(left, 64 << 10)
                try await writer.write(ByteBuffer(repeating: UInt8(ascii: "x"), count: piece))
                left -= piece
            }
            try await writer.finish(nil)
        })
    }

    var logger = Logger(label: "curl-tests.server")
    logger.logLevel = .critical
    let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0), backlog: 4096),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: logger
    )
    // Stopped by a graceful shutdown, never by cancelling its task: cancelling a NIO server while
    // accepted connections wait in its backlog traps ("Deinited NIOAsyncWriter without calling
    // finish()", swift-nio #3481), which a busy machine made happen and which kills the whole run.
    let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var ports = portStream.makeAsyncIterator()
        guard let port = await ports.next(), port > 0 else {
            await services.triggerGracefulShutdown()
            throw TestServerError.didNotStart
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(TestServer(port: port, clientPorts: recordedPorts)))
        } catch {
            result = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

enum TestServerError: Error { case didNotStart }

/// Client source ports, one entry per request.
final class PortLog: Sendable {
    let ports = Mutex<[Int]>([])
}

private struct PortRecorder: RouterMiddleware {
    let ports: PortLog

    func handle(
        _ request: Request, context: TestContext, next: (Request, TestContext) async throws -> Response
    ) async throws -> Response {
        if let port = context.remotePort { ports.ports.withLock { $0.append(port) } }
        return try await next(request, context)
    }
}

@Sendable private func echo(_ request: Request, _ context: TestContext) async throws -> Response {
    var request = request
    let body = try await request.collectBody(upTo: 16 << 20)
    var headers = HTTPFields()
    headers[HTTPField.Name("X-Echo-Method")!] = request.method.rawValue
    if let custom = request.headers[HTTPField.Name("X-Custom")!] {
        headers[HTTPField.Name("X-Echo-Custom")!] = custom
    }
    if let contentType = request.headers[.contentType] {
        headers[HTTPField.Name("X-Echo-Content-Type")!] = contentType
    }
    headers[HTTPField.Name("X-Echo-Content-Length")!] = request.headers[.contentLength] ?? "none"
    headers[HTTPField.Name("X-Echo-Expect")!] = request.headers[.expect] ?? "none"
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
}

@Sendable private func bytes(_ request: Request, _ context: TestContext) async throws -> Response {
    let count = try context.parameters.require("count", as: Int.self)
    return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: count)))
}

@Sendable private func secureEcho(_ request: Request, _ context: TestContext) async throws -> Response {
    guard let authorization = request.headers[.authorization],
          authorization.hasPrefix("Basic "),
          let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
          String(decoding: decoded, as: UTF8.self) == "\(TestServer.username):\(TestServer.password)"
    else {
        return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "bad credentials")))
    }
    var response = try await echo(request, context)
    response.headers[HTTPField.Name("X-Echo-User")!] = TestServer.username
    return response
}

/// A loopback port with nothing listening on it: bound by the OS, then closed again.
func unusedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestServerError.didNotStart }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0 else { throw TestServerError.didNotStart }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestServerError.didNotStart }
    return Int(UInt16(bigEndian: address.sin_port))
}
