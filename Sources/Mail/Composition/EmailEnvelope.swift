/// What every email Herald sends is made of, whatever its kind: the one place that decides the
/// sender and recipient formatting, the signature, the `Message-ID` (kept by Postmark with
/// `X-PM-KeepID`), the threading headers, the headers that keep auto-responders quiet, the
/// one-click unsubscribe headers, and the metadata (the provider applies its own limits to it).
///
/// ``EmailComposer/build(_:)`` turns it into a ``BuiltEmail``. Notification and digest emails are
/// built from an envelope directly; discussion emails (fan-out and relayed replies) go through
/// ``EmailComposer/compose(_:)``, which adds the reply address, tracked links and pixel and then
/// builds the same way.
public struct EmailEnvelope: Sendable {
    /// Longest subject kept, in UTF-16 units: RFC 5322 §2.1.1's line limit (998 characters). A
    /// provider applies its own limits (tag, metadata) when it builds its request.
    public static let maximumSubjectLength = 998

    /// The kind of email, which decides the automatic-email headers.
    public enum Kind: String, Sendable {
        /// A notification's immediate email (machine-generated).
        case notification
        /// A digest (machine-generated, with one-click unsubscribe).
        case digest
        /// A discussion message written by a person (including a relayed reply).
        case discussion
    }

    public var kind: Kind
    public var from: EmailAddress
    public var to: EmailAddress
    /// The subject (sanitised to one line and cut to 998 characters by the build).
    public var subject: String
    public var htmlBody: String
    public var textBody: String
    /// Appended to each non-blank body part.
    public var signature: EmailSignature?
    public var messageID: MessageID
    public var inReplyTo: MessageID?
    /// Oldest first; sent only with `inReplyTo`.
    public var references: [MessageID]
    public var replyTo: String?
    /// The signed HTTPS URL of `List-Unsubscribe` (RFC 8058); nil sends no unsubscribe headers.
    public var listUnsubscribeURL: String?
    public var tag: String?
    public var metadata: [String: String]

    /// An envelope; only the threading, reply, unsubscribe, tag and metadata parts have defaults.
    public init(
        kind: Kind, from: EmailAddress, to: EmailAddress, subject: String, htmlBody: String, textBody: String,
        signature: EmailSignature?, messageID: MessageID, inReplyTo: MessageID? = nil, references: [MessageID] = [],
        replyTo: String? = nil, listUnsubscribeURL: String? = nil, tag: String? = nil, metadata: [String: String] = [:]
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.subject = subject
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.signature = signature
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.replyTo = replyTo
        self.listUnsubscribeURL = listUnsubscribeURL
        self.tag = tag
        self.metadata = metadata
    }
}

/// An email ready for a provider: every field already within the provider's limits.
public struct BuiltEmail: Sendable, Hashable {
    /// `From`, formatted.
    public var from: String
    /// `To`, formatted.
    public var to: String
    public var subject: String
    /// Empty when the email has no HTML part.
    public var htmlBody: String
    /// Empty when the email has no text part.
    public var textBody: String
    public var replyTo: String?
    /// In order: `Message-ID`, `X-PM-KeepID`, `In-Reply-To` and `References` (replies),
    /// `Auto-Submitted` (notification, digest), `X-Auto-Response-Suppress`, `List-Unsubscribe`
    /// and `List-Unsubscribe-Post` (with an unsubscribe URL).
    public var headers: [EmailHeader]
    public var metadata: [String: String]
    public var tag: String?

    /// The value of the first header named `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

extension EmailComposer {
    /// Builds `envelope` (see ``EmailEnvelope``). Pure.
    public static func build(_ envelope: EmailEnvelope) -> BuiltEmail {
        let hasHTML = !envelope.htmlBody.isBlank
        let hasText = !envelope.textBody.isBlank
        var html = hasHTML ? envelope.htmlBody : ""
        var text = hasText ? envelope.textBody : ""
        if let signature = envelope.signature {
            if hasHTML { html = signature.appendTo(html: html) }
            if hasText { text = signature.appendTo(text: text) }
        }
        var headers = [
            EmailHeader(name: "Message-ID", value: envelope.messageID.value),
            EmailHeader(name: "X-PM-KeepID", value: "true"),
        ]
        if let inReplyTo = envelope.inReplyTo {
            headers.append(EmailHeader(name: "In-Reply-To", value: inReplyTo.value))
            let references = envelope.references.isEmpty ? [inReplyTo] : envelope.references
            headers.append(EmailHeader(name: "References", value: references.map(\.value).joined(separator: " ")))
        }
        switch envelope.kind {
        case .notification, .digest:
            // RFC 3834 §5: a machine-generated message; auto-responders must not answer it.
            headers.append(EmailHeader(name: "Auto-Submitted", value: "auto-generated"))
        case .discussion:
            break
        }
        // Exchange and Outlook: no out-of-office or other automatic reply to this email.
        headers.append(EmailHeader(name: "X-Auto-Response-Suppress", value: "OOF, AutoReply"))
        if let url = envelope.listUnsubscribeURL {
            // RFC 8058: one-click unsubscribe by an HTTPS POST to this URL.
            headers.append(EmailHeader(name: "List-Unsubscribe", value: "<\(url)>"))
            headers.append(EmailHeader(name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click"))
        }
        let subject = TextLimit.cut(HeaderSanitizer.sanitize(envelope.subject), toUTF16Length: EmailEnvelope.maximumSubjectLength, ellipsis: "…")
        let tag = envelope.tag.map { HeaderSanitizer.sanitize($0) }
        return BuiltEmail(
            from: envelope.from.formatted, to: envelope.to.formatted, subject: subject, htmlBody: html, textBody: text,
            replyTo: envelope.replyTo, headers: headers, metadata: envelope.metadata,
            tag: tag.flatMap { $0.isEmpty ? nil : $0 })
    }
}
