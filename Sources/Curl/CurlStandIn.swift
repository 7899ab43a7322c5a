// TEMPORARY STAND-IN — drop this whole directory's content at merge (the real Curl module replaces it).
// It mirrors the public API of /work/notes/CURL_API.md so the Sandbox module and its tests compile and
// can talk plain HTTP/1.1 to loopback servers. It is NOT libcurl: one blocking socket per request on a
// dedicated thread, `http://` only, `Connection: close`.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP header.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

public enum HTTPMethod: String, Sendable { case GET, POST, PUT, PATCH, DELETE, HEAD }

public struct BasicAuth: Sendable, Hashable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    public var basicAuth: BasicAuth?
    public var timeout: Duration?
    public init(
        method: HTTPMethod = .GET, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
        basicAuth: BasicAuth? = nil, timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.basicAuth = basicAuth
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    public var newConnections: Int
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}

public struct CurlError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public static let timedOut = Code("timedOut")
        public static let couldntConnect = Code("couldntConnect")
        public static let couldntResolveHost = Code("couldntResolveHost")
        public static let tls = Code("tls")
        public static let send = Code("send")
        public static let receive = Code("receive")
        public static let cancelled = Code("cancelled")
        public static let shutdown = Code("shutdown")
        public static let other = Code("other")
        public var description: String { raw }
    }
    public let code: Code
    public let curlCode: Int32?
    public let message: String
    public var isTransient: Bool {
        [.timedOut, .couldntConnect, .couldntResolveHost, .send, .receive].contains(code)
    }
    public var description: String { "CurlError(\(code)): \(message)" }
    init(_ code: Code, _ message: String) {
        self.code = code
        self.curlCode = nil
        self.message = message
    }
}

public final class CurlClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration
        public var timeout: Duration
        public var maxConnectionsPerHost: Int
        public var maxTotalConnections: Int
        public var verifyTLS: Bool
        public var userAgent: String
        public var enableHTTP2: Bool
        public init(
            connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30), maxConnectionsPerHost: Int = 0,
            maxTotalConnections: Int = 0, verifyTLS: Bool = true, userAgent: String = "herald/1.0",
            enableHTTP2: Bool = true
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.verifyTLS = verifyTLS
            self.userAgent = userAgent
            self.enableHTTP2 = enableHTTP2
        }
    }

    private let configuration: Configuration
    private let isShutdown = LockedFlag()

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        if isShutdown.value { throw CurlError(.shutdown, "client shut down") }
        try Task.checkCancellation()
        let timeout = request.timeout ?? configuration.timeout
        let userAgent = configuration.userAgent
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try Self.perform(request, timeout: timeout, userAgent: userAgent))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }

    public func shutdown() { isShutdown.set() }

    private static func perform(_ request: HTTPRequest, timeout: Duration, userAgent: String) throws -> HTTPResponse {
        guard let components = URLComponents(string: request.url), components.scheme == "http",
            let host = components.host
        else { throw CurlError(.other, "stand-in supports http:// URLs only") }
        let port = components.port ?? 80
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }

        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let address = info else {
            throw CurlError(.couldntResolveHost, "cannot resolve \(host)")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard fd >= 0 else { throw CurlError(.other, "socket() failed") }
        defer { close(fd) }
        let seconds = max(1, Int(timeout.components.seconds))
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            throw CurlError(.couldntConnect, "connection refused")
        }

        var head = "\(request.method.rawValue) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        head += "User-Agent: \(userAgent)\r\nConnection: close\r\nContent-Length: \(request.body.count)\r\n"
        if let auth = request.basicAuth {
            head += "Authorization: Basic \(Data("\(auth.username):\(auth.password)".utf8).base64EncodedString())\r\n"
        }
        for header in request.headers { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + request.body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw CurlError(.send, "send failed") }
            sent += n
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else {
                throw CurlError(errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .receive, "recv failed")
            }
            received.append(contentsOf: buffer[0..<n])
        }
        return try parse(received)
    }

    private static func parse(_ raw: [UInt8]) throws -> HTTPResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = raw.indices.first(where: { raw[$0...].starts(with: separator) }) else {
            throw CurlError(.receive, "malformed response")
        }
        let headText = String(decoding: raw[..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw CurlError(.receive, "malformed status line")
        }
        let headers = lines.compactMap { line -> HTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HTTPHeader(
                String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(raw[(end + 4)...])
        let response = HTTPResponse(status: status, headers: headers, body: [], newConnections: 1)
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let length = response.header("Content-Length").flatMap(Int.init), length <= body.count {
            body = Array(body[..<length])
        }
        return HTTPResponse(status: status, headers: headers, body: body, newConnections: 1)
    }

    private static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < data.count {
            guard let lineEnd = data[index...].indices.first(where: { data[$0...].starts(with: [13, 10]) }) else { break }
            let sizeText = String(decoding: data[index..<lineEnd], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else {
                throw CurlError(.receive, "bad chunk")
            }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= data.count else { throw CurlError(.receive, "short chunk") }
            result += data[start..<(start + size)]
            index = start + size + 2
        }
        return result
    }
}

private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
