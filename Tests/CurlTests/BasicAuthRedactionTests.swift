import Curl
import HeraldTestSupport
import Testing

/// The password of `BasicAuth` (sent to Postmark and Twilio, checked on Herald's webhooks and
/// console) appears in no rendering of it or of a request that holds it.
@Suite("BasicAuth hides its password")
struct BasicAuthRedactionTests {

    @Test("description, debugDescription and dump show the user name and ***")
    func renderings() {
        let auth = BasicAuth(username: "AC0123", password: "s3cret-token-value")
        let request = HTTPRequest(method: .POST, url: "https://api.example.com/x", basicAuth: auth)
        for text in logRenderings(auth) + logRenderings(request) + logRenderings([auth]) {
            #expect(!text.contains("s3cret-token-value"), "\(text)")
            #expect(text.contains("AC0123") && text.contains("***"), "\(text)")
        }
    }
}
