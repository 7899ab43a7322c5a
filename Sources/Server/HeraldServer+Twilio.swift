import Hummingbird
import HummingbirdAuth
import Logging
import Notifications
import Providers

extension HeraldServer {
    /// `POST /webhooks/twilio/status` (its route group verified the signature over the form):
    /// records the status through ``SMSStatusService``. An unknown SID is 200 (Twilio must not retry).
    func twilioStatus(_ request: Request, context: TwilioWebhookContext) async throws -> Response {
        let signed = try context.requireIdentity()
        guard let update = TwilioStatusUpdate(parameters: signed.parameters) else {
            return Self.text(.badRequest, "MessageSid and a valid MessageStatus are required")
        }
        guard try await smsStatuses.record(update) else {
            logger.notice("twilio status callback for an unknown message", metadata: ["twilio.sid": "\(update.messageSID)"])
            return Self.json(.ok, ["status": "unknown_message"])
        }
        return Self.json(.ok, ["status": "ok"])
    }
}
