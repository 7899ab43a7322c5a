import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Postgres
import Prometheus
import Providers

extension HeraldServer {
    /// Twilio statuses after which no intermediate status may overwrite the stored one
    /// (callbacks can arrive out of order).
    static let finalSMSStatuses = ["delivered", "undelivered", "failed", "read", "canceled"]

    /// `POST /webhooks/twilio/status`.
    func twilioStatus(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        guard let token = configuration.twilioAuthToken else {
            return Self.text(.serviceUnavailable, "Twilio callbacks are not configured (TWILIO_AUTH_TOKEN)")
        }
        let bytes = try await body(of: request)
        guard let params = FormURLEncoding.decode(String(decoding: bytes, as: UTF8.self)) else {
            return Self.text(.badRequest, "malformed form body")
        }
        let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!] ?? ""
        let url = configuration.publicURL + request.uri.description
        guard !signature.isEmpty, TwilioSignature.verify(signature: signature, url: url, params: params, authToken: token) else {
            return Self.text(.forbidden, "invalid X-Twilio-Signature")
        }
        func param(_ name: String) -> String? { params.first { $0.name == name }?.value }
        guard let sid = param("MessageSid") ?? param("SmsSid"), !sid.isEmpty, sid.utf8.count <= 64,
            let status = (param("MessageStatus") ?? param("SmsStatus"))?.lowercased(),
            status.utf8.count <= 32, !status.isEmpty, status.allSatisfy({ ($0 >= "a" && $0 <= "z") || $0 == "_" })
        else {
            return Self.text(.badRequest, "MessageSid and a valid MessageStatus are required")
        }
        var error: String?
        if let code = param("ErrorCode"), !code.isEmpty {
            error = String(([code, param("ErrorMessage")].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")).prefix(500))
        }
        let rows = try await pool.query(
            """
            UPDATE notifications
               SET sms_status = CASE WHEN sms_status = ANY($4::text[]) AND NOT ($2 = ANY($4::text[])) THEN sms_status ELSE $2 END,
                   sms_error = coalesce($3, sms_error)
             WHERE sms_sid = $1
            RETURNING id
            """, [sid, status, error, Self.finalSMSStatuses])
        if rows.isEmpty {
            logger.notice("twilio status callback for an unknown message", metadata: ["twilio.sid": "\(sid)"])
            return Self.json(.ok, ["status": "unknown_message"])
        }
        return Self.json(.ok, ["status": "ok"])
    }
}
