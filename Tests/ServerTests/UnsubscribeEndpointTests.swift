import Curl
import Foundation
import Mail
import Postgres
import Server
import Testing

/// `GET`/`POST /u/{token}`: RFC 8058 one-click unsubscribe from digests.
@Suite("Digest unsubscribe over HTTP")
struct UnsubscribeEndpointTests {
    @Test("GET shows a confirmation form and changes nothing; POST sets digest never, twice alike; forged tokens are 400")
    func oneClick() async throws {
        let configuration = testServerConfiguration()
        try await withServer("srv_unsubscribe", configuration: configuration) { base, pool, client in
            let user = UUID()
            try await pool.query(
                "INSERT INTO notification_preferences (user_id, tenant_id, email, digest_frequency) VALUES ($1, $2, 'ana@example.com', 'weekly')",
                [user, UUID()])
            func frequency() async throws -> String {
                try await pool.query("SELECT digest_frequency FROM notification_preferences WHERE user_id = $1", [user])[0].decode(String.self, at: 0)
            }
            let url = UnsubscribeToken(userID: user).url(publicURL: base, key: configuration.signingKey)

            let page = try await client.execute(HTTPRequest(method: .GET, url: url))
            #expect(page.status == 200)
            #expect(page.bodyString.contains("<form method=\"post\""))
            #expect(try await frequency() == "weekly")

            for _ in 0..<2 {
                let done = try await post(client, url, body: Array("List-Unsubscribe=One-Click".utf8), contentType: "application/x-www-form-urlencoded", auth: nil)
                #expect(done.status == 200)
                #expect(try await frequency() == "never")
            }

            var forged = Array(UnsubscribeToken(userID: user).encoded(key: configuration.signingKey))
            forged[5] = forged[5] == "A" ? "B" : "A"
            let forgedURL = base + "/u/" + String(forged)
            #expect(try await client.execute(HTTPRequest(method: .GET, url: forgedURL)).status == 400)
            #expect(try await post(client, forgedURL, body: [], contentType: "application/x-www-form-urlencoded", auth: nil).status == 400)
            let otherKey = try TokenSigningKey(secret: String(repeating: "z", count: 32))
            let foreign = UnsubscribeToken(userID: user).url(publicURL: base, key: otherKey)
            #expect(try await post(client, foreign, body: [], contentType: "application/x-www-form-urlencoded", auth: nil).status == 400)
            let stranger = UnsubscribeToken(userID: UUID()).url(publicURL: base, key: configuration.signingKey)
            #expect(try await post(client, stranger, body: [], contentType: "application/x-www-form-urlencoded", auth: nil).status == 404)
        }
    }
}
