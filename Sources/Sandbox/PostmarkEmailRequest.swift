import struct Providers.PostmarkHeader

/// The body of Postmark's `POST /email` (and one element of `POST /email/batch`): every field is
/// optional so that validation, not reading, decides what is missing. Read strictly from JSON by
/// ``init(json:)`` (`PostmarkEmailRequest+JSON.swift`), the sandbox's one way to read a request.
struct PostmarkEmailRequest: Sendable, Equatable {
    var from: String?
    var to: String?
    var cc: String?
    var bcc: String?
    var subject: String?
    var htmlBody: String?
    var textBody: String?
    var replyTo: String?
    var headers: [PostmarkHeader]?
    var tag: String?
    var metadata: [String: String]?
    var messageStream: String?
    var trackOpens: Bool?
    var trackLinks: String?
    var attachments: [PostmarkAttachment]?

    /// The member names Postmark's send body has; any other member is refused (stricter than
    /// Postmark, which may ignore it: a misspelt `Metdata` would otherwise vanish silently).
    static let memberNames: Set<String> = [
        "From", "To", "Cc", "Bcc", "Subject", "Tag", "HtmlBody", "TextBody", "ReplyTo", "Headers", "TrackOpens",
        "TrackLinks", "Metadata", "Attachments", "MessageStream",
    ]

    /// Postmark's `TrackLinks` values.
    static let trackLinksValues: Set<String> = ["None", "HtmlAndText", "HtmlOnly", "TextOnly"]

    init(
        from: String? = nil, to: String? = nil, cc: String? = nil, bcc: String? = nil, subject: String? = nil,
        htmlBody: String? = nil, textBody: String? = nil, replyTo: String? = nil, headers: [PostmarkHeader]? = nil,
        tag: String? = nil, metadata: [String: String]? = nil, messageStream: String? = nil,
        trackOpens: Bool? = nil, trackLinks: String? = nil
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.subject = subject
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.replyTo = replyTo
        self.headers = headers
        self.tag = tag
        self.metadata = metadata
        self.messageStream = messageStream
        self.trackOpens = trackOpens
        self.trackLinks = trackLinks
    }
}
