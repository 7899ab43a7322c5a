/// A fully built outbound email, ready to hand to a provider: every header value sanitised, the
/// signature, tracking pixel and tracked links already in the bodies.
public struct ComposedEmail: Sendable, Hashable {
    /// The `From` mailbox, formatted (`"Name" <address>`).
    public var from: String
    /// The `To` mailbox, formatted.
    public var to: String
    /// The bare recipient address (for tracking rows and suppression checks).
    public var recipientAddress: String
    /// The subject, single-line, with `Re: ` for replies.
    public var subject: String
    /// The HTML body with tracked links, signature and tracking pixel; empty when the email has no
    /// HTML part (then it is not tracked for opens).
    public var htmlBody: String
    /// The plain-text body with (optionally) tracked links and the signature; empty when the email
    /// has no text part.
    public var textBody: String
    /// `reply+<token>@<email_reply_domain>`, or `nil` when no reply domain is configured.
    public var replyTo: String?
    /// Extra headers in order: `Message-ID`, `X-PM-KeepID`, then `In-Reply-To` and `References`
    /// for replies, then `X-Auto-Response-Suppress` (see ``BuiltEmail/headers``).
    public var headers: [EmailHeader]
    /// Provider metadata (Postmark `Metadata`), echoed back in webhooks.
    public var metadata: [String: String]
    /// Provider tag (Postmark `Tag`), or `nil`.
    public var tag: String?

    /// The `Message-ID`; store it as `communication_messages.email_message_id`.
    public var messageID: MessageID
    /// The parent's Message-ID (`In-Reply-To`); store it as `email_in_reply_to`.
    public var inReplyTo: MessageID?
    /// The `References` chain as sent (oldest first, capped).
    public var references: [MessageID]
    /// The pixel id in the HTML body; store it as `discussion_email_tracking.tracking_pixel_id`.
    public var trackingPixelID: TrackingPixelID
    /// The links that were rewritten to the click endpoint.
    public var trackedLinks: [TrackedLink]

    /// Creates a composed email. Prefer ``EmailComposer/compose(_:)``, which guarantees the
    /// invariants documented on each property.
    public init(
        from: String,
        to: String,
        recipientAddress: String,
        subject: String,
        htmlBody: String,
        textBody: String,
        replyTo: String?,
        headers: [EmailHeader],
        metadata: [String: String],
        tag: String?,
        messageID: MessageID,
        inReplyTo: MessageID?,
        references: [MessageID],
        trackingPixelID: TrackingPixelID,
        trackedLinks: [TrackedLink]
    ) {
        self.from = from
        self.to = to
        self.recipientAddress = recipientAddress
        self.subject = subject
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.replyTo = replyTo
        self.headers = headers
        self.metadata = metadata
        self.tag = tag
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.trackingPixelID = trackingPixelID
        self.trackedLinks = trackedLinks
    }

    /// The value of the first header named `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
