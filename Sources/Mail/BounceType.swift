/// The kind of a bounce, as stored in `discussion_email_tracking.bounce_type`.
public enum BounceType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A permanent failure: the address does not exist or must not be mailed again.
    case hard
    /// A temporary failure: mailbox full, server down, auto-responder …
    case soft
    /// The recipient marked the message as spam.
    case complaint

    /// `true` for a permanent failure (the meaning of `isHardBounce()` in the tracking model).
    public var isPermanent: Bool { self == .hard }

    /// `true` when Herald must stop mailing the address: hard bounces and spam complaints.
    public var suppressesAddress: Bool { self == .hard || self == .complaint }
}
