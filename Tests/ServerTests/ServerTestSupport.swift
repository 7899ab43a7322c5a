import Curl
import Discussions
import Foundation
import HeraldTestSupport
import Logging
import Mail
import Postgres
import Server

/// The signing key of every test server.
let testKey: TokenSigningKey = {
    // 32 fixed bytes: a valid key (the tests never need it secret).
    do { return try TokenSigningKey(secret: Array("0123456789abcdef0123456789abcdef-test".utf8)) } catch { fatalError("test key: \(error)") }
}()

let webhookUser = "pm-user"
let webhookPassword = "pm-password-123"
let twilioToken = "twilio-test-token"

/// A configuration on 127.0.0.1, any port.
func testServerConfiguration(
    trustedProxies: TrustedProxies = .none, maximumBodySize: Int = 1 << 20, admin: BasicAuth? = nil
) -> ServerConfiguration {
    var configuration = ServerConfiguration(
        host: "127.0.0.1", port: 0, publicURL: "https://herald.example.test", signingKey: testKey,
        postmarkWebhook: .init(username: webhookUser, password: webhookPassword), twilioAuthToken: twilioToken,
        trustedProxies: trustedProxies, admin: admin, maximumBodySize: maximumBodySize, requestTimeout: .seconds(60))
    // A busy machine can take seconds to open the first connection or answer a request; the 503
    // and request-timeout cases have their own tests with their own short limits.
    configuration.healthCheckTimeout = .seconds(20)
    return configuration
}

/// Runs a HeraldServer on a fresh database for `body`, with a CurlClient to call it.
func withServer<T: Sendable>(
    _ label: String, configuration: ServerConfiguration = testServerConfiguration(),
    _ body: (_ base: String, _ pool: PostgresPool, _ client: CurlClient) async throws -> T
) async throws -> T {
    try await withTestDatabase(label) { db in
        let pool = db.pool(maximumConnections: 8)
        let server = HeraldServer(configuration: configuration, pool: pool, logger: Logger(label: "test.server"))
        // Generous: a 30 MB inbound post on a busy machine takes more than 20 s; a hang still fails.
        let client = CurlClient(configuration: .init(timeout: .seconds(120), enableHTTP2: false))
        do {
            let value = try await HeraldServer.withRunning(server) { server in
                try await body(await server.localURL, pool, client)
            }
            client.shutdown()
            await pool.close()
            return value
        } catch {
            client.shutdown()
            await pool.close()
            throw error
        }
    }
}

/// A thread of a tenant with email integration on, one app message and one tracked recipient.
struct TrackedEmail: Sendable {
    var tenant: UUID
    var thread: UUID
    var message: UUID
    var pixel: String
    var recipient: String
}

func seedTrackedEmail(_ pool: PostgresPool, recipient: String = "client@example.com", providerMessageId: String? = nil) async throws -> TrackedEmail {
    let tenant = UUID()
    let thread = try await DiscussionFixtures.thread(pool, tenant: tenant, subject: "Quote")
    let message = try await pool.query("INSERT INTO communication_messages (thread_id, body) VALUES ($1, 'hello') RETURNING id", [thread])[0].decode(UUID.self, at: 0)
    let pixel = TrackingPixelID.generate().rawValue
    let store = DiscussionEmailTrackingStore(pool: pool)
    _ = try await store.register(threadId: thread, messageId: message, recipientEmail: recipient, recipientType: .external, trackingPixelId: pixel)
    try await store.recordSent(trackingPixelId: pixel, providerMessageId: providerMessageId, emailMessageId: "<\(message.uuidString.lowercased())@herald.test>")
    return TrackedEmail(tenant: tenant, thread: thread, message: message, pixel: pixel, recipient: recipient)
}

func trackingRow(_ pool: PostgresPool, pixel: String) async throws -> DiscussionEmailTracking? {
    try await DiscussionEmailTrackingStore(pool: pool).findByTrackingPixel(pixel)
}

func get(_ client: CurlClient, _ url: String, headers: [HTTPHeader] = []) async throws -> Curl.HTTPResponse {
    try await client.execute(HTTPRequest(method: .GET, url: url, headers: headers))
}

func post(
    _ client: CurlClient, _ url: String, body: [UInt8], contentType: String = "application/json",
    auth: BasicAuth? = BasicAuth(username: webhookUser, password: webhookPassword), headers: [HTTPHeader] = []
) async throws -> Curl.HTTPResponse {
    try await client.execute(HTTPRequest(
        method: .POST, url: url, headers: [HTTPHeader("Content-Type", contentType)] + headers, body: body, basicAuth: auth))
}

func jsonObject(_ response: Curl.HTTPResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
}

func json(_ object: [String: Any]) -> [UInt8] {
    Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
}
