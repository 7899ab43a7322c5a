@testable import Discussions
import Foundation
@testable import Mail
@testable import Providers
import Testing

/// Configurations print, debug-print and `dump` without their secrets, so a log line that shows a
/// whole configuration (or a service holding one) shows no token, key or URL password.
@Suite("Secrets are redacted when configurations are printed")
struct SecretRedactionTests {
    /// Everything a value can be turned into for a log.
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return ["\(value)", String(reflecting: value), dumped]
    }

    @Test("Redaction.url masks the password of the user-info part and nothing else", arguments: [
        ("https://user:pa55@api.example.com/path?q=1", "https://user:***@api.example.com/path?q=1"),
        ("http://u:p@ss@127.0.0.1:9", "http://u:***@127.0.0.1:9"),
        ("https://user@api.example.com", "https://user@api.example.com"),
        ("https://api.example.com:8443/x@y", "https://api.example.com:8443/x@y"),
        ("not a url", "not a url"),
    ])
    func url(input: String, expected: String) {
        #expect(Redaction.url(input) == expected)
    }

    @Test("Postmark and Twilio configurations hide their tokens and URL passwords")
    func providerConfigurations() throws {
        let postmark = try PostmarkConfiguration.fromEnvironment(
            ["POSTMARK_SERVER_TOKEN": "pm-secret-token", "POSTMARK_API_URL": "https://u:pm-url-secret@api.example.com"], sandbox: false)
        let twilio = try TwilioConfiguration.fromEnvironment([
            "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "tw-secret-token",
            "TWILIO_FROM": "+15005550006", "TWILIO_API_URL": "https://u:tw-url-secret@api.example.com",
        ], sandbox: false)
        for text in Self.renderings(postmark) + Self.renderings(twilio) {
            for secret in ["pm-secret-token", "pm-url-secret", "tw-secret-token", "tw-url-secret"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect("\(postmark)".contains("https://u:***@api.example.com"))
    }

    @Test("the environment reader keeps only the variables it reads and prints none of their values")
    func providerEnvironment() {
        var env = ProviderEnvironment(
            ["POSTMARK_SERVER_TOKEN": " pm-secret-token ", "UNRELATED_SECRET": "other-secret"], reading: ["POSTMARK_SERVER_TOKEN"])
        #expect(env.value("POSTMARK_SERVER_TOKEN") == "pm-secret-token")
        env.fail("a problem")
        for text in Self.renderings(env) {
            #expect(!text.contains("pm-secret-token") && !text.contains("other-secret"), "\(text)")
            #expect(!text.contains("UNRELATED_SECRET"), "only declared variables are kept")
        }
        #expect("\(env)".contains("POSTMARK_SERVER_TOKEN"))
    }

    @Test("the signing key and the discussion settings print no key material")
    func signingKey() throws {
        let settings = try DiscussionSettings.fromEnvironment(
            ["HERALD_SECRET": "signing-secret-0123456789abcdef0123456789", "HERALD_PUBLIC_URL": "https://u:public-url-secret@herald.example.com"],
            sandbox: false)
        for text in Self.renderings(settings) + Self.renderings(settings.signingKey) {
            #expect(!text.contains("signing-secret") && !text.contains("public-url-secret"), "\(text)")
        }
        var dumped = ""
        dump(settings.signingKey, to: &dumped)
        #expect(!dumped.contains("KeyBytes"), "no derived key bytes in the mirror: \(dumped)")
    }
}
