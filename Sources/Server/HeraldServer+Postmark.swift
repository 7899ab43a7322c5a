import Discussions
import Foundation
import HeraldJSON
import HTTPTypes
import Hummingbird
import Logging
import Mail
import Postgres
import Prometheus
import Providers

extension HeraldServer {
    /// True when the request carries the configured Postmark webhook credentials (both parts
    /// compared in constant time, whatever their lengths).
    func postmarkAuthorized(_ request: Request) -> Bool {
        guard let expected = configuration.postmarkWebhook else { return false }
        return Self.basicAuth(request, matches: expected)
    }

    static func basicAuth(_ request: Request, matches expected: ServerConfiguration.Credentials) -> Bool {
        guard let header = request.headers[.authorization], header.count <= 1024,
            header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: " \t")),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return false }
        let userOK = ConstantTime.equals(String(text[..<colon]), expected.user)
        let passwordOK = ConstantTime.equals(String(text[text.index(after: colon)...]), expected.password)
        return userOK && passwordOK
    }

    static var unauthorized: Response {
        var response = text(.unauthorized, "authentication required")
        response.headers[.wwwAuthenticate] = "Basic realm=\"herald\""
        return response
    }

    /// `POST /webhooks/postmark`.
    func postmarkWebhook(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        guard postmarkAuthorized(request) else { return Self.unauthorized }
        let bytes = try await body(of: request)
        let event: PostmarkWebhookEvent
        do {
            event = try JSONDecoder().decode(PostmarkWebhookEvent.self, from: Data(bytes))
        } catch {
            return Self.text(.badRequest, "malformed JSON: expected a Postmark webhook object with RecordType")
        }
        let metadata = event.metadata ?? [:]
        let outcome: EmailEventService.Outcome
        switch event.recordType {
        case "Delivery":
            outcome = try await emailEvents.record(.delivery(
                providerMessageID: event.messageID, recipient: event.address, metadata: metadata,
                at: PostmarkWebhookEvent.date(event.deliveredAt) ?? Date()))
        case "Bounce", "SpamComplaint":
            let bounceType: BounceType = event.recordType == "SpamComplaint" ? .complaint : PostmarkBounceClassifier.classify(type: event.type, typeCode: event.typeCode)
            let reason = [event.description, event.details].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ")
            let suppress = bounceType.suppressesAddress || PostmarkBounceClassifier.shouldSuppress(type: event.type, typeCode: event.typeCode, inactive: event.inactive ?? false)
            outcome = try await emailEvents.record(.bounce(
                providerMessageID: event.messageID, recipient: event.address, metadata: metadata, type: bounceType,
                reason: reason.isEmpty ? event.recordType : reason, suppress: suppress,
                at: PostmarkWebhookEvent.date(event.bouncedAt) ?? Date()))
        case "SubscriptionChange":
            guard let address = event.address, let suppressSending = event.suppressSending else {
                return Self.text(.badRequest, "a SubscriptionChange needs Recipient and SuppressSending")
            }
            let reason = event.suppressionReason ?? ""
            let bounceType: DiscussionEmailTracking.BounceType? = switch reason {
            case "HardBounce": .hard
            case "SpamComplaint": .complaint
            default: nil
            }
            outcome = try await emailEvents.record(.subscriptionChange(
                recipient: address, suppressSending: suppressSending, reason: reason.isEmpty ? "" : "Postmark: \(reason)", bounceType: bounceType))
            return Self.json(.ok, ["status": "ok", "suppressed": suppressSending])
        case "Open", "Click":
            let at = PostmarkWebhookEvent.date(event.receivedAt) ?? Date()
            let store = DiscussionEmailTrackingStore(pool: pool)
            var pixels: [String] = []
            if let id = event.messageID {
                pixels = try await pool.query(
                    """
                    SELECT tracking_pixel_id FROM discussion_email_tracking
                     WHERE provider_message_id = $1 AND ($2::text IS NULL OR lower(recipient_email) = lower($2::text))
                    """, [id, event.address]).map { try $0.decode(String.self, column: "tracking_pixel_id") }
            }
            if pixels.isEmpty, let pixel = metadata[EmailComposer.MetadataKey.trackingPixelID] { pixels = [pixel] }
            var matched = 0
            for pixel in pixels {
                let row = event.recordType == "Open"
                    ? try await store.recordOpen(trackingPixelId: pixel, userAgent: event.userAgent, ip: event.geo?.ip, at: at)
                    : try await store.recordClick(trackingPixelId: pixel, userAgent: event.userAgent, ip: event.geo?.ip, at: at)
                if row != nil { matched += 1 }
            }
            outcome = EmailEventService.Outcome(trackingRows: matched)
        default:
            logger.info("postmark webhook of an unhandled RecordType ignored", metadata: ["record_type": "\(event.recordType.prefix(64))"])
            return Self.json(.ok, ["status": "ignored"])
        }
        if outcome.matched == 0 {
            logger.notice("postmark webhook for an unknown message", metadata: [
                "record_type": "\(event.recordType)", "postmark.message_id": "\(event.messageID?.prefix(128) ?? "")"])
            return Self.json(.ok, ["status": "unknown_message"])
        }
        return Self.json(.ok, ["status": "ok", "matched": outcome.matched])
    }

    /// `POST /webhooks/postmark/inbound`: the reply is stored before anything else can fail (see
    /// ``InboundReplyService``); the answer says what became of it. Every stored outcome is 200 (the
    /// email is kept; Postmark must not retry), a body that is not a JSON object is kept and
    /// answered 400, too large a body 413.
    func postmarkInbound(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        guard postmarkAuthorized(request) else { return Self.unauthorized }
        let parsed: Result<InboundWebhook, any Error>
        var text = ""
        do {
            // The buffer lives only for the parse; the webhook keeps attachment contents once.
            let buffer = try await bodyBuffer(of: request, limit: configuration.maximumInboundBodySize)
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
