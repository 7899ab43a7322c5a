import Foundation
import HeraldJSON
import Logging
import Mail
import Postgres
import Providers
public import Queue

/// Handles `digest.build`: one email per user per period listing the period's not-yet-emailed
/// normal and low notifications.
///
/// - The `(user_id, period_key)` row of `digests` is created with ON CONFLICT DO NOTHING, so a
///   re-run or a duplicated job builds the same digest; a row whose email went out is left alone.
/// - Notifications created in the period are attached (`digest_id`) before the send and marked
///   (`email_sent_at`, `provider_message_id`) after it; with `gather_older` (the oldest period the
///   scheduler enqueued) older pending ones too, so stragglers and periods beyond the catch-up cap
///   are not lost.
/// - **Empty digests are skipped: no email and no `digests` row.**
/// - Digests built at about the same time (a daily boundary for many users) are sent together
///   through ``PostmarkSendCoalescer``: `/email/batch` (≤ 500 per call, each element's ErrorCode on
///   its own), or `/email` for a lone one.
/// - A suppressed address gets no digest: its notifications are attached to the row and marked
///   `suppressed`, and the job is cancelled.
public struct DigestBuilder: ChannelHandler {
    public let kind = NotificationJobKind.digestBuild
    public let context: ChannelContext
    let digests: DigestStore
    let sender: PostmarkSendCoalescer
    let messageStream: String

    /// Sends through `sender` on `messageStream`.
    public init(context: ChannelContext, sender: PostmarkSendCoalescer, messageStream: String = "outbound") {
        self.context = context
        self.digests = DigestStore(pool: context.store.pool)
        self.sender = sender
        self.messageStream = messageStream
    }

    public func handle(_ job: Job, args: NotificationJobKind.DigestArgs) async throws -> JobResult {
        guard let recipient = try await digests.recipient(userID: args.userID) else {
            return .cancel(reason: "the user has no notification preferences")
        }
        guard let address = recipient.email, !address.isEmpty else {
            return .cancel(reason: "the user has no email address")
        }
        guard let reservation = try await digests.reserve(
            recipient: recipient, frequency: args.frequency, periodKey: args.periodKey,
            start: Date(timeIntervalSince1970: args.periodStart), end: Date(timeIntervalSince1970: args.periodEnd),
            gatherOlder: args.gatherOlder ?? false, limit: configuration.maximumDigestItems)
        else { return .completed }  // empty: nothing to send
        if reservation.emailSentAt != nil { return .completed }
        if recipient.suppressed {
            try await digests.recordSkip(digestID: reservation.digestID, reason: "suppressed")
            return .cancel(reason: "\(address) is suppressed")
        }
        let request: PostmarkEmailRequest
        do {
            request = try compose(recipient, address: address, frequency: args.frequency, reservation: reservation)
        } catch let error as DeliveryError {
            return .fail(reason: error.message)
        }
        let result = await sender.send(request)
        if result.outcome == .success {
            try await digests.markSent(digestID: reservation.digestID, providerMessageID: result.messageID)
            return .completed
        }
        if result.outcome.isPermanent { try await digests.recordSkip(digestID: reservation.digestID, reason: "email_refused") }
        return try await resolver.resolve(result.outcome, suppressing: address, channel: "email", logger: logger)
    }

    func compose(_ recipient: DigestStore.Recipient, address: String, frequency: String, reservation: DigestStore.Reservation) throws
        -> PostmarkEmailRequest
    {
        guard let stored = recipient.template else {
            throw DeliveryError(code: .templateNotFound, message: "no notification template 'digest'")
        }
        let items: [JSONValue] = reservation.items.map { item in
            let context = JSONValue.context([("type", .string(item.type)), ("priority", .string(item.priority.rawValue))], overlaidWith: item.data.text)
            var rendered: RenderedNotification?
            if let template = item.template { rendered = try? templates.compiled(template).render(context: context) }
            var entry: [(key: String, value: JSONValue)] = [
                ("subject", .string(rendered?.subject ?? item.type)), ("priority", .string(item.priority.rawValue)),
                ("created_at", .string(ISO8601DateFormatter().string(from: item.createdAt))),
            ]
            if let text = rendered?.smsBody, !text.isEmpty { entry.append(("text", .string(text))) }
            if case .string(let url)? = context["url"] { entry.append(("url", .string(url))) }
            return .object(entry)
        }
        var members: [(key: String, value: JSONValue)] = [
            ("period_label", .string(frequency)), ("count", .int(items.count)), ("items", .array(items)), ("recipient_email", .string(address)),
        ]
        if let name = recipient.name, !name.isEmpty { members.append(("recipient_name", .string(name))) }
        let context: JSONValue = .object(members)
        let rendered = try templates.compiled(stored).render(context: context)
        var envelope = try configuration.envelope(
            .digest, id: reservation.digestID, to: address, rendered: rendered,
            fromEmail: recipient.fromEmail, fromName: recipient.fromName, signature: recipient.signature, tag: "digest",
            metadata: [EmailComposer.MetadataKey.digestID: reservation.digestID.uuidString.lowercased()])
        envelope.listUnsubscribeURL = configuration.digestUnsubscribe?.url(userID: recipient.userID)
        return PostmarkEmailRequest(EmailComposer.build(envelope), messageStream: messageStream)
    }
}
