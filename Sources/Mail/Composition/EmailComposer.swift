public import Foundation

/// Builds outbound emails: threading headers, reply address, signature, tracking pixel and
/// tracked links. Pure: no I/O; the same input gives the same email (the pixel id is an input).
///
/// Guarantees of every ``ComposedEmail`` it returns:
/// - `Message-ID` is `<UUIDv5@messageIDDomain>`, deterministic per (message UUID, recipient), so
///   a retried send keeps it; `X-PM-KeepID: true` tells Postmark to keep it. Ancestors that Herald
///   sent are referenced by the ids this recipient received.
/// - For replies, `In-Reply-To` is the parent's Message-ID and `References` the ancestor chain,
///   oldest first, capped at ``Configuration/maximumReferences`` ids keeping the first (the thread
///   root) and the most recent ones, as mail clients do; the subject gets `Re: ` once.
/// - No header value or subject contains CR, LF or another control character; display names are
///   RFC 5322 quoted-strings.
/// - `Reply-To` is `reply+<token>@<email_reply_domain>` with a signed ``ReplyToken``.
/// - The tenant signature is appended to both bodies, then the 1x1 pixel
///   `<img src="{publicURL}/t/{pixelId}.gif" …>` to the HTML; http(s) links point to
///   `{publicURL}/c/{token}`. An empty (or blank) body part stays empty: no signature, no pixel.
public struct EmailComposer: Sendable {
    /// Composer settings.
    public struct Configuration: Sendable {
        /// The public base URL of `herald serve` (pixel and click endpoints), without trailing
        /// slash. Default `http://127.0.0.1:8080` (local development).
        public var publicURL: String
        /// The domain part of generated Message-IDs, normally the sending domain.
        /// Default `herald.localhost`.
        public var messageIDDomain: String
        /// The most Message-IDs put in `References`. Default 10 (about 550 characters, well within
        /// the 998-character line limit); values below 2 are treated as 2.
        public var maximumReferences: Int
        /// Whether each recipient's copy gets its own Message-ID (derived from the message UUID
        /// and the recipient address), or all copies share one (derived from the message UUID
        /// alone). Default `true`, per recipient: each copy is a separately tracked message, and a
        /// reply's `In-Reply-To` then tells which copy was answered.
        public var messageIDPerRecipient: Bool
        /// Whether bare URLs in the text body are rewritten to tracked links too. Default `true`.
        public var rewriteTextLinks: Bool
        /// The provider tag when the email sets none. Default `discussion`.
        public var defaultTag: String

        /// Creates a configuration; every argument has the default documented on its property.
        public init(
            publicURL: String = "http://127.0.0.1:8080",
            messageIDDomain: String = "herald.localhost",
            maximumReferences: Int = 10,
            messageIDPerRecipient: Bool = true,
            rewriteTextLinks: Bool = true,
            defaultTag: String = "discussion"
        ) {
            self.publicURL = publicURL
            self.messageIDDomain = messageIDDomain
            self.maximumReferences = maximumReferences
            self.messageIDPerRecipient = messageIDPerRecipient
            self.rewriteTextLinks = rewriteTextLinks
            self.defaultTag = defaultTag
        }
    }

    /// The metadata keys Herald sets on its emails (Postmark echoes them in webhooks). Each name
    /// is at most 20 characters and each value at most 80 (Postmark's metadata limits).
    public enum MetadataKey {
        /// The notification UUID, on a notification's immediate email.
        public static let notificationID = "herald_notif_id"
        /// The notification type, on a notification's immediate email (cut to 80 characters).
        public static let notificationType = "herald_notif_type"
        /// The digest UUID, on a digest email.
        public static let digestID = "herald_digest_id"
        /// The message UUID.
        public static let messageID = "herald_message_id"
        /// The thread UUID.
        public static let threadID = "herald_thread_id"
        /// The tracking pixel id, which identifies the tracking row.
        public static let trackingPixelID = "herald_pixel_id"
    }

    /// The validated configuration (public URL without trailing slash).
    public let configuration: Configuration
    private let key: TokenSigningKey

    /// Creates a composer.
    /// - Throws: `DeliveryError` `.invalidConfiguration` when the public URL is not an absolute
    ///   http(s) URL or the Message-ID domain is not a valid domain.
    public init(configuration: Configuration = .init(), signingKey: TokenSigningKey) throws {
        var configuration = configuration
        while configuration.publicURL.hasSuffix("/") { configuration.publicURL.removeLast() }
        guard ClickToken.isTrackable(configuration.publicURL + "/") else {
            throw DeliveryError(code: .invalidConfiguration, message: "the public URL must be an absolute http(s) URL, got '\(HeaderSanitizer.sanitize(configuration.publicURL))'")
        }
        guard EmailAddress.isValidDomain(configuration.messageIDDomain) else {
            throw DeliveryError(code: .invalidConfiguration, message: "'\(HeaderSanitizer.sanitize(configuration.messageIDDomain))' is not a valid Message-ID domain")
        }
        configuration.maximumReferences = max(2, configuration.maximumReferences)
        self.configuration = configuration
        self.key = signingKey
    }

    /// Builds the email for one recipient.
    /// - Throws: `DeliveryError` `.invalidEmailAddress` when the reply domain is not a valid domain.
    public func compose(_ email: OutboundEmail) throws -> ComposedEmail {
        let messageID = try self.messageID(for: email.messageID, recipient: email.to.address)

        var ancestors: [MessageID] = []
        for ancestor in email.ancestors {
            let id: MessageID?
            switch ancestor {
            case .herald(let uuid): id = try self.messageID(for: uuid, recipient: email.to.address)
            case .received(let header): id = MessageID(parsing: header)
            }
            // Unparseable stored values (e.g. with injected line breaks) are dropped, not repaired.
            guard let id, id != messageID, !ancestors.contains(id) else { continue }
            ancestors.append(id)
        }
        let inReplyTo = ancestors.last
        let references = Self.cappedReferences(ancestors, maximum: self.configuration.maximumReferences)
        let subject = Self.subject(email.subject, isReply: inReplyTo != nil)

        // An absent part stays absent: a text-only notification must not become an HTML email
        // showing nothing but a signature and an invisible pixel.
        let hasHTML = !email.htmlBody.isBlank
        let hasText = !email.textBody.isBlank
        var rewriter = LinkRewriter(publicURL: self.configuration.publicURL, trackingPixelID: email.trackingPixelID, key: self.key)
        let html = hasHTML ? rewriter.rewriteHTML(email.htmlBody) : ""
        let text = hasText && self.configuration.rewriteTextLinks ? rewriter.rewriteText(email.textBody) : (hasText ? email.textBody : "")

        var replyTo: String?
        if let domain = email.replyDomain.map({ $0.trimmingWhitespace() }) {
            guard EmailAddress.isValidDomain(domain) else {
                throw DeliveryError(code: .invalidEmailAddress, message: "'\(HeaderSanitizer.sanitize(domain))' is not a valid email_reply_domain")
            }
            replyTo = ReplyToken(threadID: email.threadID, recipient: email.to.address).replyAddress(domain: domain, key: self.key)
        }

        var metadata = email.metadata
        metadata[MetadataKey.messageID] = email.messageID.uuidString.lowercased()
        metadata[MetadataKey.threadID] = email.threadID.uuidString.lowercased()
        metadata[MetadataKey.trackingPixelID] = email.trackingPixelID.rawValue

        // The parts every Herald email shares (signature, Message-ID, threading and automatic-email
        // headers, metadata within limits) are built in one place.
        var built = Self.build(EmailEnvelope(
            kind: .discussion, from: email.from, to: email.to, subject: subject, htmlBody: html, textBody: text,
            signature: email.signature, messageID: messageID, inReplyTo: inReplyTo, references: references, replyTo: replyTo,
            tag: email.tag ?? self.configuration.defaultTag, metadata: metadata))
        if hasHTML {
            built.htmlBody = HTMLEscaping.insertBeforeBodyEnd(Self.pixelTag(publicURL: self.configuration.publicURL, id: email.trackingPixelID), in: built.htmlBody)
        }

        return ComposedEmail(
            built: built,
            recipientAddress: email.to.address,
            messageID: messageID,
            inReplyTo: inReplyTo,
            references: references,
            trackingPixelID: email.trackingPixelID,
            trackedLinks: rewriter.links
        )
    }

    /// The Message-ID Herald gives message `uuid` when sent to `recipient` (the same for every
    /// recipient when ``Configuration/messageIDPerRecipient`` is off).
    public func messageID(for uuid: UUID, recipient: String) throws -> MessageID {
        try MessageID.generate(
            messageID: uuid,
            recipientEmail: self.configuration.messageIDPerRecipient ? recipient : "",
            domain: self.configuration.messageIDDomain
        )
    }

    /// The sanitised subject, with `Re: ` prepended for a reply unless it already starts with
    /// `Re:` in any letter case.
    public static func subject(_ subject: String, isReply: Bool) -> String {
        let clean = HeaderSanitizer.sanitize(subject)
        guard isReply, !clean.lowercased().hasPrefix("re:") else { return clean }
        return "Re: " + clean
    }

    /// `ids` capped at `maximum` entries: the first (thread root) and the `maximum - 1` latest.
    public static func cappedReferences(_ ids: [MessageID], maximum: Int) -> [MessageID] {
        let maximum = max(2, maximum)
        guard ids.count > maximum else { return ids }
        return [ids[0]] + ids.suffix(maximum - 1)
    }

    /// The 1x1 tracking pixel `<img>` for `id`.
    public static func pixelTag(publicURL: String, id: TrackingPixelID) -> String {
        let source = HTMLEscaping.escape("\(publicURL)/t/\(id.rawValue).gif")
        return "<img src=\"\(source)\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">"
    }
}
