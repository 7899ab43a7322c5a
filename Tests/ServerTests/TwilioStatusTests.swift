import Crypto
import Curl
import Foundation
import Mail
import Postgres
import Server
import Testing

@Suite("Twilio status callback over HTTP")
struct TwilioStatusTests {
    /// Twilio's algorithm, written here independently of Herald's TwilioSignature.
    static func signature(url: String, params: [(String, String)], token: String) -> String {
        let data = params.sorted { $0.0 < $1.0 }.reduce(url) { $0 + $1.0 + $1.1 }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(data.utf8), using: SymmetricKey(data: Array(token.utf8)))
        return Data(mac).base64EncodedString()
    }

    static func form(_ params: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Array(params.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&").utf8)
    }

    static func seedNotification(_ pool: PostgresPool, sid: String) async throws -> UUID {
        try await pool.query(
            "INSERT INTO notifications (tenant_id, user_id, type, priority, sms_sid, sms_status) VALUES (gen_random_uuid(), gen_random_uuid(), 'task.assigned', 'urgent', $1, 'sent') RETURNING id",
            [sid])[0].decode(UUID.self, at: 0)
    }

    @Test func signedCallbacksUpdateTheNotification() async throws {
        try await withServer("srv_twilio") { base, pool, client in
            let id = try await Self.seedNotification(pool, sid: "SM0123456789abcdef0123456789abcdef")
            let url = "https://herald.example.test/webhooks/twilio/status"
            let failed = [("MessageSid", "SM0123456789abcdef0123456789abcdef"), ("MessageStatus", "undelivered"), ("ErrorCode", "30003"),
                          ("To", "+15005550006"), ("AccountSid", "AC123")]
            var response = try await post(client, base + "/webhooks/twilio/status", body: Self.form(failed), contentType: "application/x-www-form-urlencoded",
                                          auth: nil, headers: [HTTPHeader("X-Twilio-Signature", Self.signature(url: url, params: failed, token: twilioToken))])
            #expect(response.status == 200)
            var row = try await pool.query("SELECT sms_status, sms_error FROM notifications WHERE id = $1", [id])[0]
            #expect(try row.decode(String.self, column: "sms_status") == "undelivered")
            #expect(try row.decode(String?.self, column: "sms_error")?.hasPrefix("30003") == true)

            // A late intermediate status does not overwrite the final one.
            let late = [("MessageSid", "SM0123456789abcdef0123456789abcdef"), ("MessageStatus", "sent")]
            response = try await post(client, base + "/webhooks/twilio/status", body: Self.form(late), contentType: "application/x-www-form-urlencoded",
                                      auth: nil, headers: [HTTPHeader("X-Twilio-Signature", Self.signature(url: url, params: late, token: twilioToken))])
            #expect(response.status == 200)
            row = try await pool.query("SELECT sms_status FROM notifications WHERE id = $1", [id])[0]
            #expect(try row.decode(String.self, column: "sms_status") == "undelivered")
        }
    }

    @Test func badOrMissingSignaturesGet403AndChangeNothing() async throws {
        try await withServer("srv_twilio_bad") { base, pool, client in
            let id = try await Self.seedNotification(pool, sid: "SMbad")
            let params = [("MessageSid", "SMbad"), ("MessageStatus", "delivered")]
            let url = "https://herald.example.test/webhooks/twilio/status"
            let signatures = [nil, "", Self.signature(url: url, params: params, token: "wrong-token"),
                              Self.signature(url: "https://evil.example/webhooks/twilio/status", params: params, token: twilioToken),
                              Self.signature(url: url, params: [("MessageSid", "SMbad"), ("MessageStatus", "failed")], token: twilioToken)]
            for signature in signatures {
                let response = try await post(client, base + "/webhooks/twilio/status", body: Self.form(params), contentType: "application/x-www-form-urlencoded",
                                              auth: nil, headers: signature.map { [HTTPHeader("X-Twilio-Signature", $0)] } ?? [])
                #expect(response.status == 403)
            }
            #expect(try await pool.query("SELECT sms_status FROM notifications WHERE id = $1", [id])[0].decode(String.self, at: 0) == "sent")
        }
    }
}
