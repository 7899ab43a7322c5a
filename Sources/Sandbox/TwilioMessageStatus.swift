/// The `MessageStatus` values of a Twilio message.
public enum TwilioMessageStatus: String, Sendable, Hashable, CaseIterable {
    case queued, accepted, scheduled, sending, sent, delivered, undelivered, failed, read, canceled
}
