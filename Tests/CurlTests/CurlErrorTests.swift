import CCurl
@testable import Curl
import Testing

@Suite("CurlError mapping")
struct CurlErrorTests {
    @Test("CURLcodes map to codes, and only network failures are transient", arguments: [
        (CURLE_OPERATION_TIMEDOUT, CurlError.Code.timedOut, true),
        (CURLE_COULDNT_CONNECT, .couldntConnect, true),
        (CURLE_COULDNT_RESOLVE_HOST, .couldntResolveHost, true),
        (CURLE_COULDNT_RESOLVE_PROXY, .couldntResolveHost, true),
        (CURLE_SEND_ERROR, .send, true),
        (CURLE_RECV_ERROR, .receive, true),
        (CURLE_GOT_NOTHING, .receive, true),
        (CURLE_HTTP2, .receive, true),
        (CURLE_PEER_FAILED_VERIFICATION, .tls, false),
        (CURLE_SSL_CONNECT_ERROR, .tls, false),
        (CURLE_SSL_CLIENTCERT, .tls, false),
        (CURLE_HTTP3, .receive, true),
        (CURLE_URL_MALFORMAT, .other, false),
        (CURLE_UNSUPPORTED_PROTOCOL, .other, false),
        (CURLE_OUT_OF_MEMORY, .other, false),
    ])
    func mapping(curlCode: CURLcode, code: CurlError.Code, transient: Bool) {
        let error = CurlError(curlCode: curlCode)
        #expect(error.code == code)
        #expect(error.isTransient == transient)
        #expect(error.curlCode == Int32(curlCode.rawValue))
        #expect(!error.message.isEmpty)
    }

    @Test("the error buffer wins over the generic message, without its trailing newline")
    func errorBuffer() {
        let specific = CurlError(curlCode: CURLE_COULDNT_CONNECT, errorBuffer: "Failed to connect to 127.0.0.1 port 9\n")
        #expect(specific.message == "Failed to connect to 127.0.0.1 port 9")
        #expect(specific.description == "curl error couldntConnect (7): Failed to connect to 127.0.0.1 port 9")
        let generic = CurlError(curlCode: CURLE_COULDNT_CONNECT, errorBuffer: "")
        #expect(generic.message == "Couldn't connect to server")
    }

    @Test("cancellation, shutdown and other are never transient")
    func notTransient() {
        for code in [CurlError.Code.cancelled, .shutdown, .other, .tls, .responseTooLarge] {
            #expect(!CurlError(code: code, message: "x").isTransient)
        }
        #expect(CurlError(code: .shutdown, message: "gone").description == "curl error shutdown: gone")
    }
}
