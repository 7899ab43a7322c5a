public import Foundation
public import Mail

/// Who may post into a discussion by email: the sender rule of ``InboundReplyService``, without I/O.
///
/// A reply address is not a secret: it is in the `Reply-To` of every discussion email, so also in
/// every forwarded copy. The address (or the `Message-ID` a reply answers) therefore only says which
/// thread a reply *claims*; the sender must also be entitled to write there:
/// - **Signed reply token** (`reply+<token>@…`, ``ReplyToken``): the token is issued to one
///   recipient, so the sender must be that recipient, and still a participant of the thread.
/// - **Participant `reply_token`**: the token belongs to one `communication_thread_participants`
///   row (the schema says it "identifies thread and sender"), so the sender must be that
///   participant's address.
/// - **`In-Reply-To` / `References` only**: a discussion email carries one `Message-ID` for all its
///   recipients (`communication_messages.email_message_id` is one value per message), so it names
///   the thread, not a person: the sender must be a participant of that thread.
///
/// Addresses compare after trimming whitespace and lowercasing (the same normalisation as
/// ``ReplyToken``). A reply that fails the rule is not threaded (the service keeps it with
/// reason `sender_mismatch`).
public enum InboundSenderPolicy {
    /// One `communication_thread_participants` row.
    public struct Participant: Sendable, Hashable {
        /// The row's id.
        public var id: UUID
        /// The participant's address, as stored.
        public var email: String
        /// The application user, when the participant is one.
        public var userId: UUID?

        /// A participant.
        public init(id: UUID, email: String, userId: UUID? = nil) {
            self.id = id
            self.email = email
            self.userId = userId
        }
    }

    /// What located the thread of a reply.
    public enum Claim: Sendable, Hashable {
        /// A verified signed reply token in the mailbox hash.
        case signedToken(ReplyToken)
        /// A participant's `reply_token` in the mailbox hash.
        case participantToken(participantId: UUID)
        /// Only a Message-ID Herald stored, named by `In-Reply-To` / `References`.
        case messageID
    }

    /// The decision for one reply.
    public enum Verdict: Sendable, Hashable {
        /// The sender is `participant`, and may post.
        case allowed(participant: Participant)
        /// The sender may not post. `claimed` is the participant the reply address was issued to,
        /// when that is known and still a participant (never for a ``Claim/messageID`` claim).
        case senderMismatch(claimed: Participant?)
    }

    /// Applies the rule to `sender` (an address, see ``senderAddress(fromFullEmail:from:)``) for a
    /// reply that reached the thread whose participants are `participants` through `claim`.
    public static func verify(sender: String, claim: Claim, participants: [Participant]) -> Verdict {
        let normalized = normalize(sender)
        let own = normalized.isEmpty ? nil : participants.first { normalize($0.email) == normalized }
        switch claim {
        case .signedToken(let token):
            // Among the thread's participants, the one whose address the token was issued for.
            let claimed = participants.first { token.matches(recipient: $0.email) }
            if let own, let claimed, own.id == claimed.id { return .allowed(participant: own) }
            return .senderMismatch(claimed: claimed)
        case .participantToken(let participantId):
            let claimed = participants.first { $0.id == participantId }
            if let own, let claimed, own.id == claimed.id { return .allowed(participant: own) }
            return .senderMismatch(claimed: claimed)
        case .messageID:
            if let own { return .allowed(participant: own) }
            return .senderMismatch(claimed: nil)
        }
    }

    /// The sender's address: Postmark's parsed `FromFull.Email`, else the address in `From`
    /// (`Name <address>` or a bare address), trimmed. Empty when neither has one.
    public static func senderAddress(fromFullEmail: String?, from: String?) -> String {
        if let email = fromFullEmail?.trimmingCharacters(in: .whitespacesAndNewlines), !email.isEmpty { return email }
        guard let from = from?.trimmingCharacters(in: .whitespacesAndNewlines), !from.isEmpty else { return "" }
        // The last <…> holds the address; a display name may itself contain '<'.
        if let close = from.lastIndex(of: ">"), let open = from[..<close].lastIndex(of: "<") {
            return from[from.index(after: open)..<close].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return from
    }

    /// True when the provider's spam verdict header (`X-Spam-Status`, SpamAssassin style:
    /// `Yes, score=…` or `No, score=…`) says the message is spam.
    public static func isSpam(xSpamStatus: String?) -> Bool {
        guard let value = xSpamStatus?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() else { return false }
        return value == "yes" || value.hasPrefix("yes,") || value.hasPrefix("yes ")
    }

    /// The form addresses are compared in: trimmed and lowercased.
    public static func normalize(_ address: String) -> String {
        address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
