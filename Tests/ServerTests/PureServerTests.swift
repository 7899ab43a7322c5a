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

@Suite("Server configuration from the environment")
struct ServerConfigurationTests {
    @Test func refusesToStartWithoutASecretOutsideSandbox() {
        #expect(throws: ServerError.self) {
            try ServerConfiguration.fromEnvironment(["HERALD_POSTMARK_WEBHOOK_USER": "u", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "p"], sandbox: false)
        }
        do {
            _ = try ServerConfiguration.fromEnvironment(["HERALD_SECRET": "short"], sandbox: false)
            Issue.record("accepted a short secret")
        } catch let error as ServerError {
            #expect(error.message.contains("HERALD_SECRET"))
            #expect(!error.message.contains("short"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func sandboxHasDefaultsAndDocumentedDefaultsApply() throws {
        let sandbox = try ServerConfiguration.fromEnvironment([:], sandbox: true)
        #expect(sandbox.host == "127.0.0.1")
        #expect(sandbox.port == 8080)
        #expect(sandbox.publicURL == "http://127.0.0.1:8080")
        #expect(sandbox.postmarkWebhook?.user == ServerConfiguration.sandboxWebhookUser)
        #expect(sandbox.maximumBodySize == 1 << 20)
        let production = try ServerConfiguration.fromEnvironment([
            "HERALD_SECRET": String(repeating: "k", count: 40), "HERALD_POSTMARK_WEBHOOK_USER": "u", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "p",
            "HERALD_HTTP_PORT": "9000", "HERALD_PUBLIC_URL": "https://t.example.com/", "HERALD_TRUSTED_PROXIES": "10.0.0.0/8",
        ], sandbox: false)
        #expect(production.port == 9000)
        #expect(production.publicURL == "https://t.example.com")
        #expect(production.trustedProxies.contains("10.9.9.9"))
        #expect(production.twilioAuthToken == nil)
    }
}
