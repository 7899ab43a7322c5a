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
}
