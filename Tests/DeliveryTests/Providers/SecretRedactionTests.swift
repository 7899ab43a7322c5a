@testable import Discussions
import Foundation
import HeraldTestSupport
@testable import Mail
@testable import Providers
import Testing

/// Configurations print, debug-print and `dump` without their secrets, so a log line that shows a
/// whole configuration (or a service holding one) shows no token, key or URL password.
@Suite("Secrets are redacted when configurations are printed")
struct SecretRedactionTests {

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

    @Test("DiscussionSettings shows neither its signing secret nor a password in its public URL")
    func discussionSettings() throws {
        let secret = "discussion-signing-secret-0123456789abcdef"
        let settings = DiscussionSettings(
            signingKey: try TokenSigningKey(secret: secret), publicURL: "https://herald:url-pa55word@herald.example.com")
        for text in logRenderings(settings) + logRenderings([settings]) {
            #expect(!text.contains(secret) && !text.contains("url-pa55word"), "\(text)")
            #expect(text.contains("https://herald:***@herald.example.com") && text.contains("TokenSigningKey(redacted)"), "\(text)")
        }
    }
}
