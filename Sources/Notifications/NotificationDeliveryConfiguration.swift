public import Foundation
public import Mail
public import Queue

/// Settings of notification delivery (routing, immediate email and SMS, digests). Every value has
/// a documented default.
public struct NotificationDeliveryConfiguration: Sendable {
    /// Herald's one default sender address (`HERALD_FROM_EMAIL` unset), for notifications,
    /// digests and discussion emails alike: `notifications@herald.localhost`.
    public static let standardFromEmail = "notifications@herald.localhost"

    /// Sender address when the tenant's `communication_settings.from_email` is not set.
    /// Default ``standardFromEmail``.
    public var defaultFromEmail: String
    /// Sender name when the tenant has no `from_name`. Default `Herald`.
    public var defaultFromName: String?
    /// Domain of the Message-IDs Herald generates (deterministic per notification and recipient,
    /// so a duplicate caused by a crash is one conversation entry). Default `herald.localhost`.
    public var messageIDDomain: String
    /// Queue of the `email.send`, `sms.send` and `digest.build` jobs. Default `default`.
    public var queue: String
    /// Whether SMS can be sent at all (false when Twilio is not configured): routing then never
    /// enqueues `sms.send` and records `sms_not_configured`. Default true.
    public var smsEnabled: Bool
    /// How often the leader looks for digest periods that ended. Default 60 s.
    public var digestSchedulerInterval: Duration
    /// Most periods per user one scheduler run enqueues after an outage (the most recent ones; the
    /// oldest of them also gathers anything older, so nothing is lost). Default 62.
    public var digestCatchUpLimit: Int
    /// Most notifications listed in one digest; the rest go into the next period's digest. Default 200.
    public var maximumDigestItems: Int
    /// How long digest emails wait to be sent together in one `/email/batch` call. Default 25 ms.
    public var digestBatchWindow: Duration
    /// Whether `notification.route` makes the first attempt of an immediate email itself when
    /// email is the only immediate channel (no SMS), instead of enqueueing `email.send` for it.
    /// Saves a job (insert, claim, completion) and a notification update per email; an attempt
    /// that does not complete is written as the `email.send` job, in the state a worker would have
    /// left it in. Default true.
    public var inlineFirstEmailAttempt: Bool
    /// Backoff of an `email.send` job whose first, inline attempt asked for a retry. Default: the
    /// worker's default ``Backoff``.
    public var inlineRetryBackoff: Backoff
    /// Where digest emails' one-click unsubscribe URL points (`List-Unsubscribe`, RFC 8058), and
    /// the key that signs it: `{publicURL}/u/{token}`, served by `herald serve`. Default nil: no
    /// unsubscribe headers (`herald work` always sets it, from `HERALD_PUBLIC_URL` and `HERALD_SECRET`).
    public var digestUnsubscribe: DigestUnsubscribeLink?

    /// The base URL and key of digest unsubscribe links.
    public struct DigestUnsubscribeLink: Sendable {
        /// The public base URL of `herald serve` (HTTPS in production, as RFC 8058 requires).
        public var publicURL: String
        /// The key that signs the tokens (the server secret; `herald serve` verifies with the same).
        public var key: TokenSigningKey

        /// A link base.
        public init(publicURL: String, key: TokenSigningKey) {
            self.publicURL = publicURL
            self.key = key
        }

        /// The unsubscribe URL of `userID`'s digests.
        public func url(userID: UUID) -> String {
            UnsubscribeToken(userID: userID).url(publicURL: publicURL, key: key)
        }
    }

    /// Creates a configuration; every argument has the default documented on its property.
    public init(
        defaultFromEmail: String = NotificationDeliveryConfiguration.standardFromEmail,
        defaultFromName: String? = "Herald",
        messageIDDomain: String = "herald.localhost",
        queue: String = "default",
        smsEnabled: Bool = true,
        digestSchedulerInterval: Duration = .seconds(60),
        digestCatchUpLimit: Int = 62,
        maximumDigestItems: Int = 200,
        digestBatchWindow: Duration = .milliseconds(25),
        inlineFirstEmailAttempt: Bool = true,
        inlineRetryBackoff: Backoff = Backoff(),
        digestUnsubscribe: DigestUnsubscribeLink? = nil
    ) {
        self.defaultFromEmail = defaultFromEmail
        self.defaultFromName = defaultFromName
        self.messageIDDomain = messageIDDomain
        self.queue = queue
        self.smsEnabled = smsEnabled
        self.digestSchedulerInterval = digestSchedulerInterval
        self.digestCatchUpLimit = max(1, digestCatchUpLimit)
        self.maximumDigestItems = max(1, maximumDigestItems)
        self.digestBatchWindow = digestBatchWindow
        self.inlineFirstEmailAttempt = inlineFirstEmailAttempt
        self.inlineRetryBackoff = inlineRetryBackoff
        self.digestUnsubscribe = digestUnsubscribe
    }

    /// The From of a tenant's email: its `communication_settings` sender, else Herald's default.
    /// - Throws: `DeliveryError` when the address is unusable.
    public func sender(email: String?, name: String?) throws -> EmailAddress {
        try EmailAddress(email ?? defaultFromEmail, name: name ?? defaultFromName)
    }
}
