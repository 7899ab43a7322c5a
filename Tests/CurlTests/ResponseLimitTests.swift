import Curl
import Testing

/// `CurlClient.Configuration.maxResponseBodySize`: a response over the limit aborts its transfer
/// with `.responseTooLarge`, whether the server declared its length or streamed it chunked.
@Suite("CurlClient response size limit")
struct ResponseLimitTests {
    static let limit = 256 << 10

    static func client() -> CurlClient {
        CurlClient(configuration: .init(maxResponseBodySize: limit))
    }

    @Test("a body exactly at the limit arrives whole", arguments: ["bytes", "chunked"])
    func atLimit(route: String) async throws {
        try await withTestServer { server in
            let client = Self.client()
            defer { client.shutdown() }
            let response = try await client.execute(Curl.HTTPRequest(url: server.url("/\(route)/\(Self.limit)")))
            #expect(response.status == 200)
            #expect(response.body.count == Self.limit)
        }
    }

    @Test("one byte over the limit fails with responseTooLarge, naming the limit and the setting", arguments: ["bytes", "chunked"])
    func overLimit(route: String) async throws {
        try await withTestServer { server in
            let client = Self.client()
            defer { client.shutdown() }
            let error = await #expect(throws: CurlError.self) {
                try await client.execute(Curl.HTTPRequest(url: server.url("/\(route)/\(Self.limit + 1)")))
            }
            #expect(error?.code == .responseTooLarge)
            #expect(error?.isTransient == false)
            #expect(error?.description.contains("\(Self.limit) bytes") == true, "\(String(describing: error))")
            #expect(error?.description.contains("HERALD_HTTP_MAX_RESPONSE_BYTES") == true)
        }
    }

    @Test("a chunked body far over the limit (no Content-Length) is cut off, and the client serves the next request")
    func chunkedFarOverLimitThenNextRequest() async throws {
        try await withTestServer { server in
            let client = Self.client()
            defer { client.shutdown() }
            let error = await #expect(throws: CurlError.self) {
                try await client.execute(Curl.HTTPRequest(url: server.url("/chunked/\(64 << 20)")))
            }
            #expect(error?.code == .responseTooLarge)
            let next = try await client.execute(Curl.HTTPRequest(url: server.url("/n/after")))
            #expect(next.status == 200)
            #expect(next.bodyString == "n=after")
            let small = try await client.execute(Curl.HTTPRequest(url: server.url("/bytes/1000")))
            #expect(small.body.count == 1000)
        }
    }

    @Test("HEAD of a large resource is not refused by its declared length")
    func headIsExempt() async throws {
        try await withTestServer { server in
            let client = Self.client()
            defer { client.shutdown() }
            let response = try await client.execute(Curl.HTTPRequest(method: .HEAD, url: server.url("/bytes/\(Self.limit * 4)")))
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "\(Self.limit * 4)")
            #expect(response.body.isEmpty)
        }
    }

    @Test("the default limit is 16 MiB")
    func defaultLimit() {
        #expect(CurlClient.Configuration().maxResponseBodySize == 16 << 20)
    }
}
