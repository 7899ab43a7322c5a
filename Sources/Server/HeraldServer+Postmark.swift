import Discussions
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import Providers

extension HeraldServer {
    /// 401 with a `WWW-Authenticate` challenge.
    static var unauthorized: Response {
        var response = text(.unauthorized, "authentication required")
        response.headers[.wwwAuthenticate] = "Basic realm=\"herald\""
        return response
    }

    /// `POST /webhooks/postmark` (authenticated by its route group): parses the event and answers
    /// what ``EmailEventService`` made of it. Unknown messages and record types are 200, so
    /// Postmark does not retry them; a malformed body or an incomplete event is 400.
    func postmarkWebhook(_ request: Request, context: PostmarkWebhookContext) async throws -> Response {
        let bytes = try await body(of: request)
        guard let event = try? PostmarkWebhookEvent(json: bytes) else {
            return Self.text(.badRequest, "malformed JSON: expected a Postmark webhook object with RecordType")
        }
        switch try await emailEvents.record(event) {
        case .recorded(let matched):
            return Self.json(.ok, ["status": "ok", "matched": matched])
        case .unknownMessage:
            logger.notice("postmark webhook for an unknown message", metadata: [
                "record_type": "\(event.recordType)", "postmark.message_id": "\(event.messageID?.prefix(128) ?? "")"])
            return Self.json(.ok, ["status": "unknown_message"])
        case .subscriptionChanged(let suppressed):
            return Self.json(.ok, ["status": "ok", "suppressed": suppressed])
        case .ignored:
            logger.info("postmark webhook of an unhandled RecordType ignored", metadata: ["record_type": "\(event.recordType.prefix(64))"])
            return Self.json(.ok, ["status": "ignored"])
        case .incomplete(let reason):
            return Self.text(.badRequest, reason)
        }
    }

    /// `POST /webhooks/postmark/inbound` (authenticated by its route group): the reply is stored
    /// before anything else can fail (see ``InboundReplyService``); the answer says what became of
    /// it. Every stored outcome is 200 (the email is kept; Postmark must not retry), a body that is
    /// not a JSON object is kept and answered 400, too large a body 413.
    func postmarkInbound(_ request: Request, context: PostmarkWebhookContext) async throws -> Response {
        let parsed: Result<InboundWebhook, any Error>
        var text = ""
        do {
            // The buffer lives only for the parse; the webhook keeps attachment contents once.
            let buffer = try await request.boundedBody(limit: configuration.maximumInboundBodySize)
            parsed = Result { try buffer.withUnsafeReadableBytes { bytes in try InboundWebhook(parsing: bytes) } }
            if case .failure = parsed { text = String(buffer: buffer) }
        }
        let webhook: InboundWebhook
        switch parsed {
        case .success(let value):
            webhook = value
        case .failure(let error):
            guard let id = try? await inbound.keepMalformed(body: text, problem: "malformed JSON: \(error)") else { return Self.storeUnavailable }
            return Self.json(.badRequest, ["status": "failed", "inbound_id": id.uuidString.lowercased(),
                                           "detail": "malformed JSON: expected a Postmark inbound message object (kept)"])
        }
        let outcome: InboundReplyOutcome
        do {
            outcome = try await inbound.receive(webhook)
        } catch {
            // Only a database that cannot store the email gets here (processing errors are kept
            // as `failed`): ask Postmark to retry later rather than lose it.
            logger.error("inbound webhook could not be stored", metadata: ["error": "\(error)"])
            return Self.storeUnavailable
        }
        if case .failed(let id, _, false) = outcome, !webhook.isObject {
            return Self.json(.badRequest, ["status": "failed", "inbound_id": id.uuidString.lowercased(),
                                           "detail": "expected a Postmark inbound message object (kept)"])
        }
        return Self.json(.ok, Self.answer(outcome))
    }

    /// 503: the email could not be stored now; Postmark retries.
    static var storeUnavailable: Response {
        var response = text(.serviceUnavailable, "the inbound email could not be stored now; retry later")
        response.headers[.retryAfter] = "60"
        return response
    }

    /// The JSON answer of an inbound outcome.
    static func answer(_ outcome: InboundReplyOutcome) -> [String: any Sendable] {
        switch outcome {
        case .threaded(let thread, let message, let duplicate):
            return ["status": "threaded", "thread_id": thread.uuidString.lowercased(),
                    "message_id": message?.uuidString.lowercased() ?? "", "duplicate": duplicate]
        case .unmatched(let id, let duplicate):
            return ["status": "unmatched", "inbound_id": id.uuidString.lowercased(),
                    "reason": InboundReplyOutcome.Reason.noThread.rawValue, "duplicate": duplicate]
        case .rejected(let id, let reason, _, let duplicate):
            // 200 all the same: the reply is kept, and Postmark must not retry it.
            return ["status": "rejected", "inbound_id": id.uuidString.lowercased(), "reason": reason.rawValue,
                    "detail": reason.explanation, "duplicate": duplicate]
        case .automatic(let id, let kind, let signal, let bounces, let duplicate):
            return ["status": kind.rawValue, "inbound_id": id.uuidString.lowercased(), "reason": kind.rawValue,
                    "signal": signal, "tracking_bounces": bounces, "duplicate": duplicate]
        case .failed(let id, _, let duplicate):
            // The error text stays in inbound_emails.error, for operators.
            return ["status": "failed", "inbound_id": id.uuidString.lowercased(), "reason": InboundReplyOutcome.Reason.processingError.rawValue,
                    "detail": InboundReplyOutcome.Reason.processingError.explanation, "duplicate": duplicate]
        }
    }
}
