import Foundation
import Logging
import Mail
import Postgres
public import Providers
public import Queue

/// Handles `sms.send`: the SMS of an urgent or high notification, to the number routing chose.
///
/// Refuses (permanently) to text a normal or low notification, whatever enqueued the job (cost
/// control). Stops if `sms_sent_at` is set. Renders the template's SMS body (the tenant override
/// first); a type without an SMS body sends nothing and records `no_sms_template`. Sends through
/// Twilio and sets `sms_sent_at`, `sms_sid` and `sms_status`; a permanent refusal (21211 invalid
/// number, 21610 unsubscribed) sets `sms_status` `failed` and `sms_error`. Outcomes map to job
/// results in ``ProviderOutcomeResolver``. The duplicate window is the same as email's (see
/// ``EmailNotificationService``): at most one extra SMS per worker crash between Twilio's
/// acceptance and the update.
public struct SMSNotificationService: ChannelHandler {
    public let kind = NotificationJobKind.smsSend
    public let context: ChannelContext
    let twilio: TwilioClient

    /// Sends through `twilio`.
    public init(context: ChannelContext, twilio: TwilioClient) {
        self.context = context
        self.twilio = twilio
    }

    public func handle(_ job: Job, args: NotificationJobKind.SMSArgs) async throws -> JobResult {
        let id = args.notificationID
        guard let number = PhoneNumber(args.to) else {
            try? await store.markSMSFailed(id: id, reason: "not an E.164 number")
            return .fail(reason: "'\(args.to.prefix(32))' is not an E.164 phone number")
        }
        guard let input = try await store.deliveryInput(id: id) else {
            return .cancel(reason: "notification \(id.lowercasedString) no longer exists")
        }
        guard input.priority.isImmediate else {
            return .fail(reason: "SMS is only sent for urgent and high notifications, this one is \(input.priority.rawValue)")
        }
        if input.smsSentAt != nil { return .completed }
        guard let stored = input.template else { return .fail(reason: "no notification template '\(input.type)' nor 'default'") }
        let rendered: RenderedNotification
        do {
            rendered = try templates.compiled(stored).render(context: input.templateContext, columns: [SMSChannel.smsBody])
        } catch let error as DeliveryError {
            return .fail(reason: error.message)
        }
        guard let body = rendered.smsBody, !body.isEmpty else {
            try await store.recordSkip(id: id, reason: "no_sms_template")
            return .cancel(reason: "template '\(stored.template.key)' has no SMS body")
        }
        let result = await twilio.sendSMS(to: number, body: body)
        switch result.outcome {
        case .success:
            try await store.markSMSSent(id: id, sid: result.sid, status: result.status)
        case .permanent(let reason, _):
            try await store.markSMSFailed(id: id, reason: reason)
        case .retryable:
            break
        }
        return try await resolver.resolve(result.outcome, suppressing: nil, channel: "sms", logger: logger)
    }
}
