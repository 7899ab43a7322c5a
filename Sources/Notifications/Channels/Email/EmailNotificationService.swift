public import Foundation
import Logging
import Mail
import Postgres
public import Providers
public import Queue

/// EmailNotificationService: handles `email.send`, the immediate email of an urgent or high
/// notification.
///
/// One attempt: read the notification, recipient, tenant settings and template in one query;
/// stop if `email_sent_at` is already set (a retried or duplicated job sends nothing); skip a
/// suppressed address (job cancelled, `skip_reason` `suppressed`, no request to Postmark); render
/// the template (the tenant's override first; HTML escaped, text not) with the notification's
/// `data`; append the tenant signature to both bodies; send through Postmark `POST /email`; set
/// `email_sent_at` and `provider_message_id`. The provider outcome becomes the job outcome in
/// ``ProviderOutcomeResolver``.
///
/// **Duplicates.** Postmark has no idempotency key, so one window remains: the worker dies (or
/// the database is unreachable) after Postmark accepted the email and before `email_sent_at` is
/// committed. The lease then expires, the job is retried, and the email goes out once more.
/// Bound: at most one extra email per notification per such interruption (a retry that finds
/// `email_sent_at` set sends nothing), so at most the number of `email.send` jobs in flight on
/// the worker that died. Each copy carries the same deterministic `Message-ID`
/// (UUIDv5 of notification id and address) with `X-PM-KeepID`, so mail clients that de-duplicate by
/// Message-ID (Gmail does) show it once.
public struct EmailNotificationService: ChannelHandler {
    public let kind = NotificationJobKind.emailSend
    public let context: ChannelContext
    /// The first client followed by further ones (each over its own CurlClient); a notification
    /// always uses the same one, chosen by its id, so the HTTP load spreads over several libcurl drivers.
    let postmarks: [PostmarkClient]
    /// Runs after Postmark accepted and before `email_sent_at` is written (tests simulate a crash
    /// here), in this service and in the inline first attempt of `notification.route`.
    let afterAcceptance: (@Sendable (UUID) async throws -> Void)?

    /// Sends through `postmark`, spreading over `additionalPostmarkClients` too.
    public init(context: ChannelContext, postmark: PostmarkClient, additionalPostmarkClients: [PostmarkClient] = [],
                afterAcceptance: (@Sendable (UUID) async throws -> Void)? = nil) {
        self.context = context
        self.postmarks = [postmark] + additionalPostmarkClients
        self.afterAcceptance = afterAcceptance
    }

    public func handle(_ job: Job, args: NotificationJobKind.NotificationArgs) async throws -> JobResult {
        try await send(notificationID: args.notificationID)
    }

    /// Sends the notification's email (see the type's documentation) and returns the job outcome.
    public func send(notificationID id: UUID) async throws -> JobResult {
        guard let input = try await store.deliveryInput(id: id) else {
            return .cancel(reason: "notification \(id.uuidString.lowercased()) no longer exists")
        }
        if input.emailSentAt != nil { return .completed }
        let attempt = try await attempt(input)
        if attempt.accepted {
            try await afterAcceptance?(id)
            try await store.markEmailSent(id: id, providerMessageID: attempt.providerMessageID)
            return .completed
        }
        if let reason = attempt.skipReason { try await store.recordSkip(id: id, reason: reason) }
        return attempt.result
    }

    /// One attempt at sending `input`'s email, without writing anything about the notification
    /// (the caller records the outcome: ``send(notificationID:)`` on its own, `notification.route`
    /// together with the route). A permanent refusal that calls for it does suppress the address.
    func attempt(_ input: NotificationDeliveryInput) async throws -> EmailAttempt {
        guard let address = input.email, !address.isEmpty else {
            return EmailAttempt(result: .cancel(reason: "the user has no email address"), skipReason: "no_email")
        }
        if input.suppressed {
            return EmailAttempt(result: .cancel(reason: "\(address) is suppressed"), skipReason: "suppressed")
        }
        let request: PostmarkEmailRequest
        do {
            request = try compose(input, to: address)
        } catch let error as DeliveryError {
            return EmailAttempt(result: .fail(reason: error.message))
        }
        let client = postmarks.count == 1 ? postmarks[0] : postmarks[Int(input.id.uuid.15) % postmarks.count]
        let result = await client.send(request)
        if result.outcome == .success {
            return EmailAttempt(result: .completed, accepted: true, providerMessageID: result.messageID)
        }
        let jobResult = try await resolver.resolve(result.outcome, suppressing: address, channel: "email", logger: logger)
        return EmailAttempt(result: jobResult, skipReason: result.outcome.isPermanent ? "email_refused" : nil)
    }

    /// The Postmark request for `input` (pure apart from the template cache).
    /// - Throws: `DeliveryError` when there is no template, it does not parse, or an address is unusable.
    func compose(_ input: NotificationDeliveryInput, to address: String) throws -> PostmarkEmailRequest {
        guard let stored = input.template else {
            throw DeliveryError(code: .templateNotFound, message: "no notification template '\(input.type)' nor 'default'")
        }
        let rendered = try templates.compiled(stored).render(context: input.templateContext, columns: EmailChannel.fields.map(\.column))
        let envelope = try configuration.envelope(
            .notification, id: input.id, to: address, rendered: rendered,
            fromEmail: input.fromEmail, fromName: input.fromName, signature: input.signature, tag: "notification",
            metadata: [EmailComposer.MetadataKey.notificationID: input.id.lowercasedString,
                       EmailComposer.MetadataKey.notificationType: input.type])
        return PostmarkEmailRequest(EmailComposer.build(envelope), messageStream: postmarks[0].configuration.messageStream)
    }
}
