public import Foundation
public import Mail
import Notifications
public import Postgres

/// Records what Postmark reports about an email Herald sent, whichever kind it was: a discussion
/// email (`discussion_email_tracking`), a notification's immediate email (`notifications`) or a
/// digest (`digests`), and keeps `email_suppressions` in step with Postmark.
///
/// The HTTP side only parses a webhook into an ``Event``; every rule lives here, tested without
/// HTTP:
/// - An event is matched by Postmark's `MessageID` (the `provider_message_id` Herald stored when
///   Postmark accepted the email; a digest's items share their digest's id and are left to the
///   digest row), then, when nothing matched, by Herald's metadata (`herald_pixel_id`,
///   `herald_notif_id`, `herald_digest_id`).
/// - Delivery keeps the first delivery time. A bounce sets type, reason and time; a soft bounce
///   never replaces a hard bounce or a complaint. A complaint also sets `email_complained_at`.
/// - A hard bounce, a complaint, or a bounce after which Postmark deactivated the address
///   suppresses the address, whatever email it came from and whether or not a row matched.
/// - A SubscriptionChange with `SuppressSending` true suppresses the address; false lifts
///   Herald's suppression, so Herald's list follows Postmark's.
public struct EmailEventService: Sendable {
    /// What Postmark reported.
    public enum Event: Sendable {
        /// A Delivery webhook.
        case delivery(providerMessageID: String?, recipient: String?, metadata: [String: String], at: Date)
        /// A Bounce or SpamComplaint webhook. `suppress` is whether the address must not be emailed again.
        case bounce(
            providerMessageID: String?, recipient: String?, metadata: [String: String],
            type: DiscussionEmailTracking.BounceType, reason: String, suppress: Bool, at: Date)
        /// A SubscriptionChange webhook: Postmark added (`suppressSending`) or removed a suppression.
        case subscriptionChange(recipient: String, suppressSending: Bool, reason: String, bounceType: DiscussionEmailTracking.BounceType?)
    }

    /// What recording an event did.
    public struct Outcome: Sendable, Equatable {
        /// Discussion tracking rows updated.
        public var trackingRows = 0
        /// Notifications updated.
        public var notifications = 0
        /// Digests updated.
        public var digests = 0
        /// Whether the address was added to (true) or removed from (false) the suppression list; nil: untouched.
        public var suppression: Bool?

        /// An outcome with these counts.
        public init(trackingRows: Int = 0, notifications: Int = 0, digests: Int = 0, suppression: Bool? = nil) {
            self.trackingRows = trackingRows
            self.notifications = notifications
            self.digests = digests
            self.suppression = suppression
        }

        /// Rows of any kind the event matched.
        public var matched: Int { trackingRows + notifications + digests }
    }

    /// Where the rows live.
    public let pool: PostgresPool

    /// A service over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Records `event` (see the type's rules).
    public func record(_ event: Event) async throws -> Outcome {
        var outcome = Outcome()
        switch event {
        case .delivery(let id, let recipient, let metadata, let at):
            try await match(id: id, recipient: recipient, metadata: metadata, outcome: &outcome,
                tracking: { store in
                    if let id { return try await store.recordDelivery(providerMessageId: id, recipient: recipient, at: at).count }
                    return 0
                },
                trackingByPixel: { store, pixel in try await store.recordDelivery(trackingPixelId: pixel, at: at) != nil ? 1 : 0 },
                assignments: "email_delivered_at = least(email_delivered_at, $2::timestamptz)", values: [at])
        case .bounce(let id, let recipient, let metadata, let type, let reason, let suppress, let at):
            let reason = String(reason.prefix(2000))
            try await match(id: id, recipient: recipient, metadata: metadata, outcome: &outcome,
                tracking: { store in
                    if let id { return try await store.recordBounce(providerMessageId: id, recipient: recipient, bounceType: type, reason: reason, at: at).count }
                    return 0
                },
                trackingByPixel: { store, pixel in
                    try await store.recordBounce(trackingPixelId: pixel, bounceType: type, reason: reason, at: at) != nil ? 1 : 0
                },
                assignments: Self.bounceAssignments, values: [type.rawValue, reason, at])
            if suppress, let recipient, EmailAddress.isValid(recipient) {
                try await SuppressionList(pool: pool).add(
                    recipient, reason: reason.isEmpty ? "\(type.rawValue) bounce" : reason, bounceType: type, source: "postmark_webhook")
                outcome.suppression = true
            }
        case .subscriptionChange(let recipient, let suppressSending, let reason, let bounceType):
            guard EmailAddress.isValid(recipient) else { return outcome }
            let list = SuppressionList(pool: pool)
            if suppressSending {
                try await list.add(
                    recipient, reason: String((reason.isEmpty ? "suppressed in Postmark" : reason).prefix(2000)), bounceType: bounceType,
                    source: "postmark_subscription")
                outcome.suppression = true
            } else {
                try await list.remove(recipient)
                outcome.suppression = false
            }
        }
        return outcome
    }

    /// $2 type, $3 reason, $4 time. A soft bounce does not overwrite a permanent verdict.
    private static let bounceAssignments = """
        email_bounce_type = CASE WHEN email_bounce_type IN ('hard', 'complaint') AND $2::text = 'soft' THEN email_bounce_type ELSE $2::text END,
               email_bounce_reason = CASE WHEN email_bounce_type IN ('hard', 'complaint') AND $2::text = 'soft' THEN email_bounce_reason ELSE $3::text END,
               email_bounced_at = CASE WHEN email_bounce_type IN ('hard', 'complaint') AND $2::text = 'soft' THEN email_bounced_at ELSE $4::timestamptz END,
               email_complained_at = CASE WHEN $2::text = 'complaint' THEN coalesce(email_complained_at, $4::timestamptz) ELSE email_complained_at END
        """

    /// Updates the tracking rows, notifications and digests the event is about: by MessageID
    /// first, by metadata when nothing matched. `assignments` uses `$2…` for `values`; `$1` is the key.
    private func match(
        id: String?, recipient: String?, metadata: [String: String], outcome: inout Outcome,
        tracking: (DiscussionEmailTrackingStore) async throws -> Int,
        trackingByPixel: (DiscussionEmailTrackingStore, String) async throws -> Int,
        assignments: String, values: [any PostgresBindable]
    ) async throws {
        let store = DiscussionEmailTrackingStore(pool: pool)
        outcome.trackingRows = try await tracking(store)
        if let id {
            outcome.notifications = try await pool.query(
                "UPDATE notifications SET \(assignments) WHERE provider_message_id = $1 AND digest_id IS NULL", [id as any PostgresBindable] + values).affectedRows
            outcome.digests = try await pool.query(
                "UPDATE digests SET \(assignments) WHERE provider_message_id = $1", [id as any PostgresBindable] + values).affectedRows
        }
        guard outcome.matched == 0 else { return }
        if let pixel = metadata[EmailComposer.MetadataKey.trackingPixelID] {
            outcome.trackingRows = try await trackingByPixel(store, pixel)
        }
        if let notification = metadata[EmailComposer.MetadataKey.notificationID].flatMap(UUID.init(uuidString:)) {
            outcome.notifications = try await pool.query(
                "UPDATE notifications SET \(assignments) WHERE id = $1 AND email_sent_at IS NOT NULL", [notification as any PostgresBindable] + values).affectedRows
        }
        if let digest = metadata[EmailComposer.MetadataKey.digestID].flatMap(UUID.init(uuidString:)) {
            outcome.digests = try await pool.query(
                "UPDATE digests SET \(assignments) WHERE id = $1 AND email_sent_at IS NOT NULL", [digest as any PostgresBindable] + values).affectedRows
        }
    }
}
