import Discussions
import Foundation
import Mail
import Providers
import Testing

/// What Postmark's and Twilio's webhooks mean, read without any I/O: the wire types in
/// Providers and the classification ``EmailEventService`` applies before touching a row.
@Suite("Provider webhook wire types")
struct ProviderWebhookWireTests {
    static func event(_ object: [String: Any]) throws -> PostmarkWebhookEvent {
        try PostmarkWebhookEvent(json: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    @Test func bouncesAreClassifiedAndExplained() throws {
        let hard = try Self.event(["RecordType": "Bounce", "Type": "HardBounce", "Email": "a@example.com", "Description": "No such user",
                                   "Details": "550 5.1.1", "BouncedAt": "2026-12-01T08:00:00Z"])
        #expect(hard.bounceType == .hard && hard.suppressesAddress)
        #expect(hard.bounceReason == "No such user — 550 5.1.1")
        #expect(hard.address == "a@example.com")
        #expect(hard.occurredAt == Date(timeIntervalSince1970: 1_796_112_000))

        let soft = try Self.event(["RecordType": "Bounce", "Type": "SoftBounce", "Email": "b@example.com"])
        #expect(soft.bounceType == .soft && !soft.suppressesAddress)
        #expect(soft.bounceReason == "Bounce")
        // Postmark deactivated the address: every later send fails with 406, so suppress it.
        let inactive = try Self.event(["RecordType": "Bounce", "Type": "Transient", "Email": "c@example.com", "Inactive": true])
        #expect(inactive.bounceType == .soft && inactive.suppressesAddress)

        let complaint = try Self.event(["RecordType": "SpamComplaint", "Type": "SoftBounce", "Email": "d@example.com"])
        #expect(complaint.bounceType == .complaint && complaint.suppressesAddress)
    }

    @Test func malformedBodiesDoNotParse() {
        for body in ["{not json", "[]", "{\"MessageID\": 3}", ""] {
            #expect(throws: (any Error).self) { try PostmarkWebhookEvent(json: Array(body.utf8)) }
        }
    }

    @Test func eventsAreClassifiedWithoutTouchingTheDatabase() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let delivery = try Self.event(["RecordType": "Delivery", "MessageID": "pm-1", "Recipient": "a@example.com"])
        guard case .event(.delivery(let id, let recipient, _, let at)) = EmailEventService.classify(delivery, now: now) else {
            Issue.record("not a delivery"); return
        }
        #expect(id == "pm-1" && recipient == "a@example.com" && at == now)

        let bounce = try Self.event(["RecordType": "Bounce", "TypeCode": 1, "Email": "a@example.com", "Description": "gone"])
        guard case .event(.bounce(_, _, _, let type, let reason, let suppress, _)) = EmailEventService.classify(bounce) else {
            Issue.record("not a bounce"); return
        }
        #expect(type == .hard && reason == "gone" && suppress)

        let change = try Self.event(["RecordType": "SubscriptionChange", "Recipient": "Gone@Example.com", "SuppressSending": true,
                                     "SuppressionReason": "SpamComplaint"])
        guard case .event(.subscriptionChange(let address, let suppressSending, let why, let bounceType)) = EmailEventService.classify(change) else {
            Issue.record("not a subscription change"); return
        }
        #expect(address == "Gone@Example.com" && suppressSending && why == "Postmark: SpamComplaint" && bounceType == .complaint)

        let incomplete = try Self.event(["RecordType": "SubscriptionChange", "Recipient": "x@example.com"])
        guard case .incomplete = EmailEventService.classify(incomplete) else {
            Issue.record("a SubscriptionChange without SuppressSending was accepted"); return
        }

        let click = try Self.event(["RecordType": "Click", "Metadata": [EmailComposer.MetadataKey.trackingPixelID: "abc"], "UserAgent": "UA",
                                    "Geo": ["IP": "203.0.113.9"]])
        guard case .engagement(let open, _, _, let pixel, let userAgent, let ip, _) = EmailEventService.classify(click) else {
            Issue.record("not an engagement"); return
        }
        #expect(!open && pixel == "abc" && userAgent == "UA" && ip == "203.0.113.9")

        guard case .ignored = EmailEventService.classify(try Self.event(["RecordType": "SomethingNew"])) else {
            Issue.record("an unknown record type was not ignored"); return
        }
    }

    @Test func twilioStatusCallbacksAreReadStrictly() {
        let failed = TwilioStatusUpdate(parameters: [
            (name: "SmsSid", value: "SM1"), (name: "SmsStatus", value: "Undelivered"), (name: "ErrorCode", value: "30003"),
            (name: "ErrorMessage", value: "Unreachable destination handset"),
        ])
        #expect(failed == TwilioStatusUpdate(messageSID: "SM1", status: "undelivered", error: "30003 Unreachable destination handset"))
        #expect(failed?.isFinal == true)
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageSid", value: "SM2"), (name: "MessageStatus", value: "sent")])?.error == nil)
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageSid", value: "SM2"), (name: "MessageStatus", value: "sent")])?.isFinal == false)
        // Missing, blank, too long or not a status word: nothing to record.
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageStatus", value: "sent")]) == nil)
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageSid", value: ""), (name: "MessageStatus", value: "sent")]) == nil)
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageSid", value: String(repeating: "S", count: 65)), (name: "MessageStatus", value: "sent")]) == nil)
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageSid", value: "SM3"), (name: "MessageStatus", value: "sent'; DROP")]) == nil)
        #expect(TwilioStatusUpdate(parameters: [(name: "MessageSid", value: "SM3")]) == nil)
    }
}
