public import Foundation

/// One earlier message in the chain an outbound email replies to.
///
/// Herald's own Message-IDs differ per recipient (see ``MessageID/generate(messageID:recipientEmail:domain:)``),
/// so for a message Herald sent the composer recomputes the id *this* recipient received, and the
/// recipient's mail client finds every id of `References` in its own mailbox. A message that came
/// in by email (an inbound reply) has one Message-ID, set by the sender's client, for everyone.
public enum EmailAncestor: Sendable, Hashable {
    /// A message Herald sent (its `communication_messages.id`).
    case herald(messageID: UUID)
    /// A message received by email, with the `Message-ID` header it arrived with (stored with or
    /// without angle brackets).
    case received(messageIDHeader: String)
}
