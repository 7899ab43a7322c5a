public import Foundation
public import Logging
public import Mail
import Notifications
public import Postgres
public import Providers
public import Queue

/// The `message.fanout` job (args `{"message_id": "<uuid>"}`): emails one discussion message to
/// every participant of its thread except its author.
///
/// Guarantees:
/// - Nothing is sent when the thread's tenant has `email_integration_enabled` off (or no settings
///   row): the job completes without effect.
/// - One email per participant (never the author: same `user_id`, or same address in any case),
///   skipping suppressed addresses. Each gets a `discussion_email_tracking` row (created before the
///   send, `sent_at` set after the provider accepted it) and its tracked links in
///   `discussion_email_links`.
/// - Every copy of the message carries the same `Message-ID` (deterministic from the message UUID),
///   stored as `communication_messages.email_message_id` for app messages, with `In-Reply-To` (the
///   parent's Message-ID, stored as `email_in_reply_to`) and `References` (the ancestor chain).
/// - Retrying is safe: a recipient whose row already has `sent_at` is not emailed again; a
///   recipient emailed whose `sent_at` write was lost gets the same Message-ID again, so mail
///   clients show one entry. Retryable provider failures retry the job (for those recipients
///   only); permanent ones are logged (and suppress the address when the provider says so).
public struct DiscussionFanoutHandler: JobHandler {
    /// The job kind.
    public static let kind = "message.fanout"
    public var kind: String { Self.kind }
    public var timeout: Duration? { .seconds(120) }

    /// The arguments of a `message.fanout` job; the id is written lowercase, as the producer
    /// trigger writes it.
    public struct Arguments: JobArguments, Codable {
        /// The message to email.
        public var messageId: UUID
        enum CodingKeys: String, CodingKey { case messageId = "message_id" }
        public init(messageId: UUID) { self.messageId = messageId }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(messageId.lowercasedString, forKey: .messageId)
        }
    }

    /// Sends one composed email; the default sends through Postmark.
    public typealias Sender = @Sendable (ComposedEmail) async -> PostmarkSendResult

    private let pool: PostgresPool
    private let composer: EmailComposer
    private let defaultFrom: String
    private let send: Sender
    private let logger: Logger

    /// A handler composing with `composer` and sending through `postmark`.
    /// `defaultFrom` is the sender address for tenants without `from_email`.
    public init(pool: PostgresPool, composer: EmailComposer, postmark: PostmarkClient, defaultFrom: String, logger: Logger) {
        self.init(pool: pool, composer: composer, defaultFrom: defaultFrom, logger: logger) { email in
            await postmark.send(postmark.request(for: email))
        }
    }

    /// A handler with a custom sender (tests).
    public init(pool: PostgresPool, composer: EmailComposer, defaultFrom: String, logger: Logger, send: @escaping Sender) {
        self.pool = pool
        self.composer = composer
        self.defaultFrom = defaultFrom
        self.send = send
        self.logger = logger
    }

    public func handle(_ job: Job, args: Arguments) async throws -> JobResult {
        try await fanOut(messageId: args.messageId)
    }

    /// Emails message `messageId` to its thread's participants (see the type's guarantees).
    public func fanOut(messageId: UUID) async throws -> JobResult {
        guard let message = try await DiscussionMessageRecord.load(messageId, pool: pool) else {
            return .cancel(reason: "message \(messageId) does not exist")
        }
        let settingsStore = CommunicationSettingsStore(pool: pool)
        guard let settings = try await settingsStore.settings(tenantId: message.tenantId), settings.emailIntegrationEnabled else {
            logger.debug("email integration off: no fan-out", metadata: ["message.id": "\(messageId)"])
            return .completed
        }
        let signature: EmailSignature?
        do {
            signature = try settings.emailSignature.flatMap { $0.isEmpty ? nil : try EmailSignature($0) }
        } catch {
            return .fail(reason: "the tenant's email_signature is invalid: \(error)")
        }
        let from: EmailAddress
        do {
            from = try EmailAddress(settings.fromEmail ?? defaultFrom, name: settings.fromName ?? message.authorName)
        } catch {
            return .fail(reason: "the sender address is invalid: \(error)")
        }

        let ancestors = try await message.ancestors(pool: pool)
        let ownID = try composer.messageID(for: message.id, recipient: "")
        let inReplyTo = ancestors.isEmpty ? nil : try EmailComposer.lastAncestorID(ancestors, composer: composer)
        if message.source == "app" {
            try await pool.query(
                """
                UPDATE communication_messages
                   SET email_message_id = coalesce(email_message_id, $2), email_in_reply_to = coalesce(email_in_reply_to, $3)
                 WHERE id = $1
                """, [message.id, ownID.value, inReplyTo?.value])
        }

        let participants = try await message.recipients(pool: pool)
        let suppressed = try await SuppressionList(pool: pool).suppressed(among: participants.map(\.email))
        let store = DiscussionEmailTrackingStore(pool: pool)
        var retryReasons: [String] = []
        for participant in participants {
            if suppressed.contains(participant.email.lowercased()) {
                logger.info("recipient suppressed: not emailed", metadata: ["message.id": "\(messageId)"])
                continue
            }
            let row = try await store.register(
                threadId: message.threadId, messageId: message.id, recipientEmail: participant.email,
                recipientType: participant.recipientType, trackingPixelId: TrackingPixelID.generate().rawValue)
            guard row.sentAt == nil else { continue }
            guard let pixel = TrackingPixelID(rawValue: row.trackingPixelId) else {
                logger.warning("tracking row has a foreign pixel id format; not emailed", metadata: ["message.id": "\(messageId)"])
                continue
            }
            let composed: ComposedEmail
            do {
                composed = try composer.compose(OutboundEmail(
                    messageID: message.id, threadID: message.threadId, from: from,
                    to: try EmailAddress(participant.email, name: participant.name),
                    subject: message.subject,
                    htmlBody: DiscussionEmailBody.html(message.body), textBody: message.body,
                    ancestors: ancestors, replyDomain: settings.emailReplyDomain, signature: signature,
                    trackingPixelID: pixel))
            } catch {
                logger.warning("cannot compose the email for one recipient", metadata: ["message.id": "\(messageId)", "error": "\(error)"])
                continue
            }
            try await store.saveLinks(trackingPixelId: pixel.rawValue, urls: composed.trackedLinks.sorted { $0.index < $1.index }.map(\.url))
            let result = await send(composed)
            switch result.outcome {
            case .success:
                try await store.recordSent(trackingPixelId: pixel.rawValue, providerMessageId: result.messageID, emailMessageId: composed.messageID.value)
            case .retryable(let reason, _):
                retryReasons.append(reason)
            case .permanent(let reason, let suppress):
                logger.warning("the provider refused one recipient", metadata: ["message.id": "\(messageId)", "reason": "\(reason)"])
                if suppress {
                    try await SuppressionList(pool: pool).add(participant.email, reason: reason, source: "send_error")
                }
            }
        }
        if let reason = retryReasons.first {
            return .retry(reason: "\(retryReasons.count) recipient(s) not sent: \(reason)")
        }
        return .completed
    }
}

extension EmailComposer {
    /// The Message-ID a reply to `ancestors` puts in `In-Reply-To` (the last resolvable ancestor).
    static func lastAncestorID(_ ancestors: [EmailAncestor], composer: EmailComposer) throws -> MessageID? {
        for ancestor in ancestors.reversed() {
            switch ancestor {
            case .herald(let uuid): return try composer.messageID(for: uuid, recipient: "")
            case .received(let header): if let id = MessageID(parsing: header) { return id }
            }
        }
        return nil
    }
}
