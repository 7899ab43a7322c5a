public import Foundation

/// What the composer needs to build one outbound discussion or notification email for one
/// recipient. Bodies are already rendered (see ``TemplateRenderer``).
public struct OutboundEmail: Sendable {
    /// The message UUID (`communication_messages.id`, or the notification id).
    public var messageID: UUID
    /// The thread UUID; the reply token maps back to it.
    public var threadID: UUID
    /// The sender mailbox.
    public var from: EmailAddress
    /// The recipient mailbox.
    public var to: EmailAddress
    /// The subject without `Re: ` (added for replies unless already there).
    public var subject: String
    /// The HTML body.
    public var htmlBody: String
    /// The plain-text body.
    public var textBody: String
    /// The message's ancestors, oldest first (the thread root first); the last one is the parent.
    /// Empty for the first message of a thread.
    public var ancestors: [EmailAncestor]
    /// The tenant's `email_reply_domain`; `nil` sends no `Reply-To`.
    public var replyDomain: String?
    /// The tenant's `email_signature`, if any.
    public var signature: EmailSignature?
    /// The pixel id of this email (one per recipient; generate with ``TrackingPixelID/generate()``).
    public var trackingPixelID: TrackingPixelID
    /// The provider tag; `nil` uses the composer's default tag.
    public var tag: String?
    /// Extra provider metadata, merged over Herald's own keys.
    public var metadata: [String: String]

    /// Creates the input of one email.
    public init(
        messageID: UUID,
        threadID: UUID,
        from: EmailAddress,
        to: EmailAddress,
        subject: String,
        htmlBody: String,
        textBody: String,
        ancestors: [EmailAncestor] = [],
        replyDomain: String? = nil,
        signature: EmailSignature? = nil,
        trackingPixelID: TrackingPixelID,
        tag: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.messageID = messageID
        self.threadID = threadID
        self.from = from
        self.to = to
        self.subject = subject
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.ancestors = ancestors
        self.replyDomain = replyDomain
        self.signature = signature
        self.trackingPixelID = trackingPixelID
        self.tag = tag
        self.metadata = metadata
    }
}
