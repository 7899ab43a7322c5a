import Foundation
import Mail
import Server
import Testing

@Suite("Trusted proxies and client address")
struct ClientAddressTests {
    @Test func parsesAddressesAndRanges() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.1 ::1 fd00::/8")
        #expect(proxies.contains("10.20.30.40"))
        #expect(proxies.contains("192.168.1.1"))
        #expect(!proxies.contains("192.168.1.2"))
        #expect(proxies.contains("::1"))
        #expect(proxies.contains("fd12::5"))
        #expect(!proxies.contains("fe80::1"))
        #expect(proxies.contains("::ffff:10.1.1.1"))
        #expect(!proxies.contains("not an ip"))
        #expect(throws: ServerError.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: ServerError.self) { try TrustedProxies(parsing: "example.com") }
    }

    @Test func forwardedForCountsOnlyThroughTrustedPeers() throws {
        let resolver = ClientAddressResolver(trustedProxies: try TrustedProxies(parsing: "10.0.0.0/8"))
        #expect(resolver.clientAddress(peer: "203.0.113.1", forwardedFor: "1.2.3.4") == "203.0.113.1")
        #expect(resolver.clientAddress(peer: "10.0.0.1", forwardedFor: "1.2.3.4") == "1.2.3.4")
        #expect(resolver.clientAddress(peer: "10.0.0.1", forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.2") == "1.2.3.4")
        #expect(resolver.clientAddress(peer: "10.0.0.1", forwardedFor: "garbage, 10.0.0.2") == "10.0.0.2")
        #expect(resolver.clientAddress(peer: "10.0.0.1", forwardedFor: nil) == "10.0.0.1")
        #expect(ClientAddressResolver(trustedProxies: .none).clientAddress(peer: "10.0.0.1", forwardedFor: "1.2.3.4") == "10.0.0.1")
    }
}
