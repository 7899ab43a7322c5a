import Curl
import Foundation
import Testing

/// The libcurl floor (7.68.0) and the protocol restriction, which is compiled differently before
/// and after libcurl 7.85.0 (`CURLOPT_PROTOCOLS` bitmask vs `CURLOPT_PROTOCOLS_STR`).
@Suite("libcurl version floor and allowed protocols")
struct CurlLibraryVersionTests {
    @Test("versions print and compare as libcurl packs them")
    func packing() {
        #expect(CurlLibraryVersion(number: 0x074400).description == "7.68.0")
        #expect(CurlLibraryVersion(major: 8, minor: 5, patch: 0).number == 0x080500)
        #expect(CurlLibraryVersion(number: 0x075100) < CurlLibraryVersion(number: 0x075500))
        #expect(CurlLibraryVersion.minimumSupported.description == "7.68.0")
    }

    @Test("the floor and anything newer pass", arguments: [0x074400, 0x075100, 0x075800, 0x080500] as [UInt32])
    func supported(number: UInt32) throws {
        try CurlLibraryVersion.check(CurlLibraryVersion(number: number))
    }

    @Test("an older libcurl is refused with a message naming both versions", arguments: [0x071D00, 0x074200, 0x0743FF] as [UInt32])
    func tooOld(number: UInt32) {
        let error = #expect(throws: CurlError.self) {
            try CurlLibraryVersion.check(CurlLibraryVersion(number: number))
        }
        #expect(error?.message.contains("libcurl \(CurlLibraryVersion(number: number)) is too old") == true)
        #expect(error?.message.contains("7.68.0 or newer") == true)
    }

    @Test("the libcurl this process loaded passes the check")
    func loaded() throws {
        #expect(CurlLibraryVersion.loaded.number > 0)
        try CurlLibraryVersion.checkLoaded()
    }

    @Test("only http and https are allowed: file:// and gopher:// are refused", arguments: ["file", "gopher"])
    func otherProtocolsRefused(scheme: String) async throws {
        let path = NSTemporaryDirectory() + "curl-protocol-\(UUID().uuidString)"
        try Data("readable".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let url = scheme == "file" ? "file://\(path)" : "gopher://127.0.0.1:\(try unusedLoopbackPort())/"
        let client = CurlClient()
        defer { client.shutdown() }
        let error = await #expect(throws: CurlError.self) {
            try await client.execute(Curl.HTTPRequest(url: url))
        }
        #expect(error?.curlCode == 1, "CURLE_UNSUPPORTED_PROTOCOL: \(String(describing: error))")
    }
}
