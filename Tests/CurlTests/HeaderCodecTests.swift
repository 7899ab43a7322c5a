@testable import Curl
import Testing

@Suite("HeaderCodec")
struct HeaderCodecTests {
    @Test("parses a header block in order, trimming values and skipping the status line")
    func parsesBlock() {
        let block = Array("HTTP/1.1 200 OK\r\nContent-Type:  text/plain \r\nX-A: 1\r\nx-a: 2\r\nEmpty:\r\n\r\n".utf8)
        let headers = HeaderCodec.parseResponseHeaders(block)
        #expect(headers == [
            HTTPHeader("Content-Type", "text/plain"),
            HTTPHeader("X-A", "1"),
            HTTPHeader("x-a", "2"),
            HTTPHeader("Empty", ""),
        ])
        let response = HTTPResponse(status: 200, headers: headers)
        #expect(response.header("content-type") == "text/plain")
        #expect(response.header("X-a") == "1")
        #expect(response.header("X-B") == nil)
    }

    @Test("accepts bare LF endings, joins folded lines, skips garbage")
    func tolerantParsing() {
        let block = Array("HTTP/2 204\nX-Long: a\n  b\n\tc\nno colon here\n: no name\nX-Last: z".utf8)
        #expect(HeaderCodec.parseResponseHeaders(block) == [HTTPHeader("X-Long", "a b c"), HTTPHeader("X-Last", "z")])
        #expect(HeaderCodec.parseResponseHeaders([]) == [])
    }

    @Test("encodes request headers, with `Name;` for empty values")
    func encodes() throws {
        #expect(try HeaderCodec.requestLine(for: HTTPHeader("Content-Type", "application/json")) == "Content-Type: application/json")
        #expect(try HeaderCodec.requestLine(for: HTTPHeader("X-Empty", "")) == "X-Empty;")
        #expect(try HeaderCodec.requestLine(for: HTTPHeader("X-Space", "  ")) == "X-Space;")
        #expect(try HeaderCodec.requestLine(for: HTTPHeader("X-Trim", " v ")) == "X-Trim: v")
    }

    @Test("refuses header names and values that could inject headers", arguments: [
        HTTPHeader("X-A", "a\r\nX-B: b"), HTTPHeader("X-A", "a\nb"), HTTPHeader("X-A", "a\0b"),
        HTTPHeader("", "v"), HTTPHeader("X A", "v"), HTTPHeader("X-A:", "v"), HTTPHeader("X\r\nB", "v"),
    ])
    func refusesInjection(header: HTTPHeader) {
        #expect(throws: CurlError.self) { try HeaderCodec.requestLine(for: header) }
    }
}

@Suite("Small value types")
struct ValueTypeTests {
    @Test("Duration to libcurl milliseconds rounds up and never yields 0 (no timeout)")
    func milliseconds() {
        #expect(Duration.seconds(5).curlMilliseconds == 5_000)
        #expect(Duration.milliseconds(250).curlMilliseconds == 250)
        #expect(Duration.microseconds(1_500).curlMilliseconds == 2)
        #expect(Duration.nanoseconds(1).curlMilliseconds == 1)
        #expect(Duration.zero.curlMilliseconds == 1)
        #expect(Duration.seconds(-3).curlMilliseconds == 1)
        #expect(Duration.seconds(Int64.max / 10).curlMilliseconds == Int.max)
    }

    @Test("header lookup is ASCII case-insensitive and exact otherwise")
    func caseInsensitive() {
        #expect("Content-Type".equalsIgnoringASCIICase("content-TYPE"))
        #expect(!"Content-Type".equalsIgnoringASCIICase("Content-Typ"))
        #expect(!"X-[".equalsIgnoringASCIICase("X-{"))
        #expect(!"X-A".equalsIgnoringASCIICase("X_A"))
    }

    @Test("BasicAuth never prints its password")
    func basicAuthRedacted() {
        let auth = BasicAuth(username: "u", password: "hunter2")
        #expect(!String(describing: auth).contains("hunter2"))
        #expect(!String(reflecting: auth).contains("hunter2"))
    }

    @Test("bodyString decodes UTF-8 lossily")
    func bodyString() {
        #expect(HTTPResponse(status: 200, body: Array("héllo".utf8)).bodyString == "héllo")
        #expect(HTTPResponse(status: 200, body: [0x61, 0xFF]).bodyString == "a\u{FFFD}")
    }
}

@Suite("Transfer header accumulation")
struct TransferHeaderTests {
    @Test("only the final response's headers survive interim 100 Continue responses")
    func finalResponseOnly() throws {
        let transfer = try Transfer(
            request: HTTPRequest(url: "http://127.0.0.1:9/"), configuration: .init(), easy: EasyHandle())
        for line in ["HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
                     "HTTP/1.1 201 Created\r\n", "Location: /x\r\n", "\r\n"] {
            _ = Array(line.utf8).withUnsafeBytes { transfer.receiveHeaderLine($0) }
        }
        #expect(HeaderCodec.parseResponseHeaders(transfer.responseHeaderBytes) == [HTTPHeader("Location", "/x")])
    }
}
