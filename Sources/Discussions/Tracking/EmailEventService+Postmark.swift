public import Foundation
import Mail
public import Providers

/// Postmark's webhooks (`POST /webhooks/postmark`), recorded by the rules of ``EmailEventService``.
///
/// The HTTP side parses the body into a ``PostmarkWebhookEvent`` and answers what this returns;
/// which rows an event touches, and whether its address is suppressed, is decided here.
extension EmailEventService {
    /// What became of one Postmark webhook.
    public enum PostmarkOutcome: Sendable, Hashable {
        /// Recorded on `matched` rows (tracking rows, notifications and digests together).
        case recorded(matched: Int)
        /// About no email Herald knows (nothing matched). A hard bounce or complaint still
        /// suppressed its address.
        case unknownMessage
        /// A SubscriptionChange: Postmark now suppresses the address (true) or no longer does (false).
        case subscriptionChanged(suppressed: Bool)
        /// A record type Herald does not handle.
        case ignored
        /// The event lacks what its record type needs; the reason is fit for the webhook's answer.
        case incomplete(reason: String)
    }

    /// What a Postmark webhook is about, decided before anything is read or written.
    public enum PostmarkClassification: Sendable {
        /// A Delivery, Bounce, SpamComplaint or SubscriptionChange, as an ``Event``.
        case event(Event)
        /// An Open (true) or Click (false) of a discussion email, counted on its tracking rows.
        case engagement(open: Bool, providerMessageID: String?, recipient: String?, pixel: String?, userAgent: String?, ip: String?, at: Date)
        /// Unhandled record type.
        case ignored
        /// Missing fields (see ``PostmarkOutcome/incomplete(reason:)``).
        case incomplete(reason: String)
    }

    /// Classifies `event` (bounce type, suppression, which rows to look for); `now` stands in for a
    /// missing or unreadable event time. Pure.
    public static func classify(_ event: PostmarkWebhookEvent, now: Date = Date()) -> PostmarkClassification {
        let metadata = event.metadata ?? [:]
        let at = event.occurredAt ?? now
        switch event.recordType {
        case "Delivery":
            return .event(.delivery(providerMessageID: event.messageID, recipient: event.address, metadata: metadata, at: at))
        case "Bounce", "SpamComplaint":
            return .event(.bounce(
                providerMessageID: event.messageID, recipient: event.address, metadata: metadata, type: event.bounceType,
                reason: event.bounceReason, suppress: event.suppressesAddress, at: at))
        case "SubscriptionChange":
            guard let address = event.address, let suppressSending = event.suppressSending else {
                return .incomplete(reason: "a SubscriptionChange needs Recipient and SuppressSending")
            }
            let reason = event.suppressionReason ?? ""
            return .event(.subscriptionChange(
                recipient: address, suppressSending: suppressSending, reason: reason.isEmpty ? "" : "Postmark: \(reason)",
                bounceType: event.suppressionBounceType))
        case "Open", "Click":
            return .engagement(
                open: event.recordType == "Open", providerMessageID: event.messageID, recipient: event.address,
                pixel: metadata[EmailComposer.MetadataKey.trackingPixelID], userAgent: event.userAgent, ip: event.geo?.ip, at: at)
        default:
            return .ignored
        }
    }

    /// Records one Postmark webhook: Delivery, Bounce and SpamComplaint on whichever email they
    /// are about (see the type's rules), SubscriptionChange on `email_suppressions`, Open and
    /// Click on the discussion email's tracking rows (matched by Postmark's MessageID and the
    /// recipient, else by the pixel id in Herald's metadata).
    public func record(_ event: PostmarkWebhookEvent, now: Date = Date()) async throws -> PostmarkOutcome {
        switch Self.classify(event, now: now) {
        case .event(let recorded):
            let outcome = try await record(recorded)
            if case .subscriptionChange(_, let suppressSending, _, _) = recorded {
                return .subscriptionChanged(suppressed: suppressSending)
            }
            return outcome.matched == 0 ? .unknownMessage : .recorded(matched: outcome.matched)
        case .engagement(let open, let providerMessageID, let recipient, let pixel, let userAgent, let ip, let at):
            let store = DiscussionEmailTrackingStore(pool: pool)
            var pixels: [String] = []
            if let providerMessageID {
                pixels = try await store.trackingPixelIds(providerMessageId: providerMessageID, recipient: recipient)
            }
            if pixels.isEmpty, let pixel { pixels = [pixel] }
            var matched = 0
            for pixel in pixels {
                let row = open
                    ? try await store.recordOpen(trackingPixelId: pixel, userAgent: userAgent, ip: ip, at: at)
                    : try await store.recordClick(trackingPixelId: pixel, userAgent: userAgent, ip: ip, at: at)
                if row != nil { matched += 1 }
            }
            return matched == 0 ? .unknownMessage : .recorded(matched: matched)
        case .ignored:
            return .ignored
        case .incomplete(let reason):
            return .incomplete(reason: reason)
        }
    }
}
