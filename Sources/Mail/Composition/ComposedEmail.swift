/// A fully built outbound discussion email, ready to hand to a provider: the ``BuiltEmail``
/// (every header value sanitised, the signature, tracking pixel and tracked links already in the
/// bodies) and what the fan-out stores about it.
///
/// The built email's parts read as the composed email's own (`email.subject`, `email.htmlBody` …).
@dynamicMemberLookup
public struct ComposedEmail: Sendable, Hashable {
    /// What goes to the provider. Its `replyTo` is `reply+<token>@<email_reply_domain>`, or `nil`
    /// when no reply domain is configured; its HTML body (empty when the email has no HTML part,
    /// which is then not tracked for opens) ends with the tracking pixel; its headers are
    /// `Message-ID`, `X-PM-KeepID`, then `In-Reply-To` and `References` for replies, then
    /// `X-Auto-Response-Suppress`.
    public var built: BuiltEmail
    /// The bare recipient address (for tracking rows and suppression checks).
    public var recipientAddress: String
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
        built: BuiltEmail,
        recipientAddress: String,
        messageID: MessageID,
        inReplyTo: MessageID?,
        references: [MessageID],
        trackingPixelID: TrackingPixelID,
        trackedLinks: [TrackedLink]
    ) {
        self.built = built
        self.recipientAddress = recipientAddress
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.trackingPixelID = trackingPixelID
        self.trackedLinks = trackedLinks
    }

    /// A part of the built email: `from`, `to`, `subject`, `htmlBody`, `textBody`, `replyTo`,
    /// `headers`, `metadata`, `tag`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<BuiltEmail, Value>) -> Value {
        built[keyPath: keyPath]
    }

    /// The value of the first header named `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        built.header(name)
    }
}
