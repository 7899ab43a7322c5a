import Curl
import Foundation
import Synchronization
import Testing

// Hummingbird exports its own HTTPRequest/HTTPResponse, hence the `Curl.` prefixes.

@Suite("CurlClient against a loopback server")
struct CurlClientTests {
    @Test("GET sends headers and basic auth; the server checks them and echoes them back")
    func getRoundTrip() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let response = try await client.execute(Curl.HTTPRequest(
                url: server.url("/secure/echo"),
                headers: [HTTPHeader("X-Custom", "hello, world")],
                basicAuth: BasicAuth(username: TestServer.username, password: TestServer.password)
            ))
            #expect(response.status == 200)
            #expect(response.header("x-echo-method") == "GET")
            #expect(response.header("X-ECHO-CUSTOM") == "hello, world")
            #expect(response.header("X-Echo-User") == TestServer.username)
            #expect(response.header("X-Echo-Content-Length") == "none")
            #expect(response.body.isEmpty)
            #expect(response.header("X-Not-There") == nil)
        }
    }

    @Test("POST sends a binary body with content type and auth; the body comes back byte for byte")
    func postRoundTrip() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let body = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            let response = try await client.execute(Curl.HTTPRequest(
                method: .POST,
                url: server.url("/secure/echo"),
                headers: [HTTPHeader("Content-Type", "application/octet-stream"), HTTPHeader("X-Custom", "post")],
                body: body,
                basicAuth: BasicAuth(username: TestServer.username, password: TestServer.password)
            ))
            #expect(response.status == 200)
            #expect(response.header("X-Echo-Method") == "POST")
            #expect(response.header("X-Echo-Custom") == "post")
            #expect(response.header("X-Echo-Content-Type") == "application/octet-stream")
            #expect(response.header("X-Echo-Content-Length") == "150000")
            #expect(response.header("X-Echo-Expect") == "none")
            #expect(response.body == body)
        }
    }

    @Test("wrong credentials give the server's 401 as a response")
    func wrongCredentials() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let response = try await client.execute(Curl.HTTPRequest(
                url: server.url("/secure/echo"),
                basicAuth: BasicAuth(username: TestServer.username, password: "wrong")
            ))
            #expect(response.status == 401)
            #expect(response.bodyString == "bad credentials")
            let anonymous = try await client.execute(Curl.HTTPRequest(url: server.url("/secure/echo")))
            #expect(anonymous.status == 401)
        }
    }

    @Test("every method reaches the server as itself", arguments: [HTTPMethod.PUT, .PATCH, .DELETE, .POST])
    func methods(method: HTTPMethod) async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let withBody = try await client.execute(Curl.HTTPRequest(
                method: method, url: server.url("/echo"), body: Array("payload".utf8)))
            #expect(withBody.header("X-Echo-Method") == method.rawValue)
            #expect(withBody.bodyString == "payload")
            let empty = try await client.execute(Curl.HTTPRequest(method: method, url: server.url("/echo")))
            #expect(empty.header("X-Echo-Method") == method.rawValue)
            #expect(empty.body.isEmpty)
            if method != .DELETE {
                #expect(empty.header("X-Echo-Content-Length") == "0")
            }
        }
    }

    @Test("HEAD returns status and headers without a body")
    func head() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let response = try await client.execute(Curl.HTTPRequest(method: .HEAD, url: server.url("/echo")))
            #expect(response.status == 200)
            #expect(response.header("X-Echo-Method") == "HEAD")
            #expect(response.body.isEmpty)
        }
    }

    @Test("404 and 500 come back as responses, not errors", arguments: [404, 500, 503])
    func errorStatuses(code: Int) async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/status/\(code)")))
            #expect(response.status == code)
            #expect(response.bodyString == "status \(code)")
        }
    }

    @Test("1,000 concurrent requests on one client all succeed with their own bodies")
    func thousandConcurrent() async throws {
        try await withTestServer { server in
            // Correctness under concurrency, not speed: on a busy machine the in-process server
            // may need more than the default 30 s for all of them.
            let client = CurlClient(configuration: .init(connectTimeout: .seconds(60), timeout: .seconds(300)))
            defer { client.shutdown() }
            let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/\(index)")))
                        return response.status == 200 && response.bodyString == "n=\(index)"
                    }
                }
                var failures = 0
                for try await ok in group where !ok { failures += 1 }
                return failures
            }
            #expect(failures == 0)
        }
    }

    @Test("1,000 concurrent requests through a capped connection pool")
    func thousandConcurrentCapped() async throws {
        try await withTestServer { server in
            let client = CurlClient(configuration: .init(connectTimeout: .seconds(60), timeout: .seconds(300), maxConnectionsPerHost: 16))
            defer { client.shutdown() }
            let connections = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/\(index)")))
                        #expect(response.bodyString == "n=\(index)")
                        return response.newConnections
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(connections <= 16)
            #expect(server.distinctClientPorts.count <= 16)
        }
    }

    @Test("the total timeout fires long before a slow endpoint answers")
    func totalTimeout() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: CurlError.self) {
                _ = try await client.execute(Curl.HTTPRequest(url: server.url("/sleep/8000"), timeout: .milliseconds(300)))
            }
            let elapsed = clock.now - start
            #expect(error?.code == .timedOut)
            #expect(error?.curlCode == 28)
            #expect(error?.isTransient == true)
            _ = elapsed  // .timedOut is the proof: without the timeout the server's 200 comes after 8 s
            // The same client still works afterwards.
            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/1")))
            #expect(response.bodyString == "n=1")
        }
    }

    @Test("the client-wide timeout applies when the request has none")
    func configuredTimeout() async throws {
        try await withTestServer { server in
            let client = CurlClient(configuration: .init(timeout: .milliseconds(250)))
            defer { client.shutdown() }
            let error = await #expect(throws: CurlError.self) {
                _ = try await client.execute(Curl.HTTPRequest(url: server.url("/sleep/8000")))
            }
            #expect(error?.code == .timedOut)
            // A per-request timeout overrides it.
            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/sleep/400"), timeout: .seconds(180)))
            #expect(response.bodyString == "slept")
        }
    }

    @Test("a refused connection is a transient couldntConnect error, with no credentials in the message")
    func refusedConnection() async throws {
        let port = try unusedLoopbackPort()
        let client = CurlClient(configuration: .init(connectTimeout: .seconds(2)))
        defer { client.shutdown() }
        let error = await #expect(throws: CurlError.self) {
            _ = try await client.execute(Curl.HTTPRequest(
                method: .POST,
                url: "http://127.0.0.1:\(port)/x",
                body: Array("secret-body".utf8),
                basicAuth: BasicAuth(username: "user", password: "hunter2")
            ))
        }
        #expect(error?.code == .couldntConnect)
        #expect(error?.curlCode == 7)
        #expect(error?.isTransient == true)
        let text = String(describing: error)
        #expect(text.contains("127.0.0.1"))
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("secret-body"))
    }

    @Test("sequential requests reuse one kept-alive connection")
    func connectionReuse() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            var newConnections: [Int] = []
            for index in 0..<5 {
                let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/\(index)")))
                #expect(response.bodyString == "n=\(index)")
                newConnections.append(response.newConnections)
            }
            #expect(newConnections == [1, 0, 0, 0, 0])
            #expect(server.distinctClientPorts.count == 1)
        }
    }

    @Test("after a quiet spell, a second burst reuses the connections the first one opened")
    func burstReuse() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            func burst(_ label: String) async throws -> Int {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/\(label)\(index)")))
                            #expect(response.bodyString == "n=\(label)\(index)")
                            return response.newConnections
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            let first = try await burst("a")
            // A quiet spell: one request at a time.
            for index in 0..<10 {
                _ = try await client.execute(Curl.HTTPRequest(url: server.url("/n/quiet\(index)")))
            }
            let second = try await burst("b")
            #expect(first > 8, "the first burst runs concurrently over many connections")
            // libcurl's default cache (4 × transfers in progress) closed all but a few during the quiet spell.
            #expect(second <= max(8, first / 10), "first burst opened \(first), second \(second)")
        }
    }

    @Test("cancelling the task aborts a slow request with .cancelled")
    func cancellation() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let clock = ContinuousClock()
            let start = clock.now
            let task = Task {
                try await client.execute(Curl.HTTPRequest(url: server.url("/sleep/8000")))
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            // No wall-clock bound: had cancellation not aborted it, the request would have ended with
            // the server's 200 after 8 s, not with an error.
            _ = clock.now - start
            #expect(throws: CurlError.self) { try result.get() }
            if case .failure(let error as CurlError) = result {
                #expect(error.code == .cancelled)
                #expect(!error.isTransient)
            }
            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/2")))
            #expect(response.bodyString == "n=2")
        }
    }

    @Test("cancelling some of many concurrent requests leaves the others intact")
    func mixedCancellation() async throws {
        try await withTestServer { server in
            let client = CurlClient(configuration: .init(maxConnectionsPerHost: 32))
            defer { client.shutdown() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        guard index % 3 == 0 else {
                            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/\(index)")))
                            #expect(response.bodyString == "n=\(index)")
                            return
                        }
                        let task = Task {
                            try await client.execute(Curl.HTTPRequest(url: server.url("/sleep/\(index % 40)")))
                        }
                        try await Task.sleep(for: .milliseconds(index % 25))
                        task.cancel()
                        switch await task.result {
                        case .success(let response): #expect(response.bodyString == "slept")
                        case .failure(let error): #expect((error as? CurlError)?.code == .cancelled)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/done")))
            #expect(response.bodyString == "n=done")
        }
    }

    @Test("a request from an already cancelled task fails with .cancelled without being sent")
    func cancelledBeforeStart() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            defer { client.shutdown() }
            let result = await Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.execute(Curl.HTTPRequest(url: server.url("/n/3")))
            }.result
            if case .failure(let error as CurlError) = result {
                #expect(error.code == .cancelled)
            } else {
                Issue.record("expected CurlError.cancelled, got \(result)")
            }
            #expect(server.distinctClientPorts.isEmpty)
        }
    }

    @Test("shutdown fails in-flight and later requests with .shutdown and is idempotent")
    func shutdown() async throws {
        try await withTestServer { server in
            let client = CurlClient()
            let ok = try await client.execute(Curl.HTTPRequest(url: server.url("/n/4")))
            #expect(ok.status == 200)

            let slow = Task { try await client.execute(Curl.HTTPRequest(url: server.url("/sleep/8000"))) }
            try await Task.sleep(for: .milliseconds(300))
            client.shutdown()
            if case .failure(let error as CurlError) = await slow.result {
                #expect(error.code == .shutdown)
            } else {
                Issue.record("the in-flight request should fail with .shutdown")
            }

            let error = await #expect(throws: CurlError.self) {
                _ = try await client.execute(Curl.HTTPRequest(url: server.url("/n/5")))
            }
            #expect(error?.code == .shutdown)
            #expect(error?.isTransient == false)
            client.shutdown()
        }
    }

    @Test("clients dropped without shutdown() clean up in deinit")
    func deinitCleansUp() async throws {
        try await withTestServer { server in
            for index in 0..<20 {
                let client = CurlClient()
                let response = try await client.execute(Curl.HTTPRequest(url: server.url("/n/\(index)")))
                #expect(response.bodyString == "n=\(index)")
            }
        }
    }

    @Test("header injection is refused before anything is sent, without echoing the value")
    func headerInjection() async throws {
        let client = CurlClient()
        defer { client.shutdown() }
        let error = await #expect(throws: CurlError.self) {
            _ = try await client.execute(Curl.HTTPRequest(
                url: "http://127.0.0.1:9/", headers: [HTTPHeader("X-Token", "abc\r\nX-Evil: 1")]))
        }
        #expect(error?.code == .other)
        #expect(error?.message.contains("X-Token") == true)
        #expect(error?.message.contains("abc") == false)
        let badName = await #expect(throws: CurlError.self) {
            _ = try await client.execute(Curl.HTTPRequest(
                url: "http://127.0.0.1:9/", headers: [HTTPHeader("Bad Name", "v")]))
        }
        #expect(badName?.code == .other)
    }

    @Test("schemes other than http and https are refused")
    func otherSchemes() async throws {
        let client = CurlClient()
        defer { client.shutdown() }
        for url in ["file:///etc/passwd", "ftp://127.0.0.1/x", "not a url"] {
            let error = await #expect(throws: CurlError.self) {
                _ = try await client.execute(Curl.HTTPRequest(url: url))
            }
            #expect(error?.code == .other)
            #expect(error?.isTransient == false)
        }
    }
}
