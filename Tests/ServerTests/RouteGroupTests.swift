import Crypto
import Curl
import Foundation
import HeraldTestSupport
import Hummingbird
import Logging
import Mail
import Postgres
@testable import Server
import ServiceLifecycle
import Synchronization
import Testing

/// A flag set from a handler and read by the test.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// The route groups' middleware: each refuses what it must, with the same answers the routes
/// gave when they checked for themselves, before anything is read or changed.
@Suite("Route group middleware")
struct RouteGroupTests {
    @Test func thePostmarkGroupRefusesWithoutCredentialsBeforeReadingTheBody() async throws {
        var configuration = testServerConfiguration(maximumBodySize: 16)
        try await withServer("mw_postmark", configuration: configuration) { base, pool, client in
            // Larger than the body limit: the 401 comes first, so the body was never read.
            let body = Array(String(repeating: "x", count: 1024).utf8)
            for path in ["/webhooks/postmark", "/webhooks/postmark/inbound"] {
                for auth in [nil, BasicAuth(username: webhookUser, password: "nope")] {
                    let response = try await post(client, base + path, body: body, auth: auth)
                    #expect(response.status == 401, "\(path)")
                    #expect(response.bodyString == "authentication required\n")
                    #expect(response.header("WWW-Authenticate") == "Basic realm=\"herald\"")
                    #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
                    #expect(response.header("Cache-Control") == "no-store")
                }
            }
            #expect(try await post(client, base + "/webhooks/postmark", body: body).status == 413)
            let stored = try await pool.query("SELECT count(*) FROM inbound_emails")[0].decode(Int.self, at: 0)
            #expect(stored == 0)
        }
        // Without a configured login nobody gets in, whatever they send.
        configuration.postmarkWebhook = nil
        try await withServer("mw_postmark_unset", configuration: configuration) { base, _, client in
            let response = try await post(client, base + "/webhooks/postmark", body: Array("{}".utf8))
            #expect(response.status == 401)
        }
    }

    static func sign(_ url: String, _ params: [(String, String)], token: String = twilioToken) -> String {
        let data = params.sorted { $0.0 < $1.0 }.reduce(url) { $0 + $1.0 + $1.1 }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(data.utf8), using: SymmetricKey(data: Array(token.utf8)))
        return Data(mac).base64EncodedString()
    }

    @Test func theTwilioGroupChecksTokenBodyFormAndSignatureInThatOrder() async throws {
        let url = "https://herald.example.test/webhooks/twilio/status"
        let form = "application/x-www-form-urlencoded"
        try await withServer("mw_twilio", configuration: testServerConfiguration(maximumBodySize: 256)) { base, _, client in
            let route = base + "/webhooks/twilio/status"
            let big = try await post(client, route, body: Array(String(repeating: "a=b&", count: 100).utf8), contentType: form, auth: nil)
            #expect(big.status == 413)
            let malformed = try await post(client, route, body: Array("a=%zz".utf8), contentType: form, auth: nil,
                                           headers: [HTTPHeader("X-Twilio-Signature", Self.sign(url, []))])
            #expect(malformed.status == 400 && malformed.bodyString == "malformed form body\n")
            let unsigned = try await post(client, route, body: Array("MessageSid=SM1&MessageStatus=sent".utf8), contentType: form, auth: nil)
            #expect(unsigned.status == 403 && unsigned.bodyString == "invalid X-Twilio-Signature\n")
            // Signed, but not a status callback: the handler's 400.
            let params = [("MessageStatus", "sent")]
            let incomplete = try await post(client, route, body: Array("MessageStatus=sent".utf8), contentType: form, auth: nil,
                                            headers: [HTTPHeader("X-Twilio-Signature", Self.sign(url, params))])
            #expect(incomplete.status == 400 && incomplete.bodyString == "MessageSid and a valid MessageStatus are required\n")
            // Signed and well-formed, for a message Herald never sent: 200, so Twilio does not retry.
            let unknown = [("MessageSid", "SMnobody"), ("MessageStatus", "delivered")]
            let answer = try await post(client, route, body: Array("MessageSid=SMnobody&MessageStatus=delivered".utf8), contentType: form, auth: nil,
                                        headers: [HTTPHeader("X-Twilio-Signature", Self.sign(url, unknown))])
            #expect(answer.status == 200 && jsonObject(answer)["status"] as? String == "unknown_message")
        }
        var configuration = testServerConfiguration()
        configuration.twilioAuthToken = nil
        try await withServer("mw_twilio_unset", configuration: configuration) { base, _, client in
            let response = try await post(client, base + "/webhooks/twilio/status", body: Array("MessageSid=SM1".utf8), contentType: form, auth: nil)
            #expect(response.status == 503 && response.bodyString == "Twilio callbacks are not configured (TWILIO_AUTH_TOKEN)\n")
        }
    }

    @Test func theConsoleGuardsAnswerAsThePagesDid() async throws {
        let configuration = testServerConfiguration(admin: .init(username: "ops", password: "ops-secret-123"))
        try await withServer("mw_console", configuration: configuration) { base, _, client in
            let page = try await get(client, base + "/admin/jobs")
            #expect(page.status == 303 && page.header("Location") == "/admin/login" && page.header("Cache-Control") == "no-store")
            let fragment = try await get(client, base + "/admin/jobs/1/fragment")
            #expect(fragment.status == 401 && fragment.bodyString == "log in again: the console session ended\n")
            // An action without a session's token is refused before its form is looked at.
            let action = try await post(client, base + "/admin/jobs/1/retry", body: Array("extra_attempts=1".utf8),
                                        contentType: "application/x-www-form-urlencoded", auth: nil)
            #expect(action.status == 403 && action.bodyString == "missing or wrong CSRF token: reload the page and try again\n")
            // The stylesheet needs no login.
            #expect(try await get(client, base + "/admin/static/console.css").status == 200)
        }
    }

    /// Runs `router` on loopback for `body`.
    static func withRouter(_ router: Router<HeraldRequestContext>, _ body: (String, CurlClient) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: Logger(label: "test.router"))
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test.router")))
        let client = CurlClient(configuration: .init(timeout: .seconds(60), enableHTTP2: false))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                try await body("http://127.0.0.1:\(port)", client)
            } catch {
                await group.triggerGracefulShutdown()
                client.shutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            client.shutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func theTimeoutCancelsTheHandlerAndAnswers503AndRefusalsAreAnswered() async throws {
        let router = Router(context: HeraldRequestContext.self)
        let cancelled = Flag()
        let group = router.group()
            .add(middleware: RefusalMiddleware())
            .add(middleware: RequestTimeoutMiddleware(timeout: .milliseconds(200)))
        group.get("/slow") { _, _ -> Response in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.set()
                throw error
            }
            return HeraldServer.text(.ok, "finished")
        }
        group.get("/refused") { _, _ -> Response in
            throw Refusal(HeraldServer.text(.forbidden, "no"))
        }
        group.get("/quick") { _, _ in HeraldServer.text(.ok, "quick") }
        try await Self.withRouter(router) { base, client in
            // The 503 and the cancelled sleep are the proof: without the middleware the handler
            // answers 200 after 30 s. (No wall-clock bound: a busy machine may take its time.)
            let slow = try await get(client, base + "/slow")
            #expect(slow.status == 503 && slow.bodyString.contains("too long"))
            #expect(cancelled.isSet)
            let refused = try await get(client, base + "/refused")
            #expect(refused.status == 403 && refused.bodyString == "no\n")
            #expect(try await get(client, base + "/quick").bodyString == "quick\n")
        }
    }
}
