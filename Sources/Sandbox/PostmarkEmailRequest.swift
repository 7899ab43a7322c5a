/// The body of Postmark's `POST /email` (and one element of `POST /email/batch`), decoded leniently:
/// every field is optional so that validation, not decoding, decides what is missing.
///
/// The sandbox reads requests through ``HeraldJSON`` (`PostmarkEmailRequest+JSON.swift`); the
/// `Decodable` form, with the same rules, stays for comparison (tests, `herald bench json`).
struct PostmarkEmailRequest: Decodable, Sendable, Equatable {
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

    enum CodingKeys: String, CodingKey {
        case from = "From", to = "To", cc = "Cc", bcc = "Bcc", subject = "Subject"
        case htmlBody = "HtmlBody", textBody = "TextBody", replyTo = "ReplyTo", headers = "Headers"
        case tag = "Tag", metadata = "Metadata", messageStream = "MessageStream"
        case trackOpens = "TrackOpens", trackLinks = "TrackLinks"
    }

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

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decodeIfPresent(String.self, forKey: .from)
        to = try container.decodeIfPresent(String.self, forKey: .to)
        cc = try container.decodeIfPresent(String.self, forKey: .cc)
        bcc = try container.decodeIfPresent(String.self, forKey: .bcc)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        htmlBody = try container.decodeIfPresent(String.self, forKey: .htmlBody)
        textBody = try container.decodeIfPresent(String.self, forKey: .textBody)
        replyTo = try container.decodeIfPresent(String.self, forKey: .replyTo)
        headers = try container.decodeIfPresent([PostmarkHeader].self, forKey: .headers)
        tag = try container.decodeIfPresent(String.self, forKey: .tag)
        metadata = try container.decodeIfPresent([String: LenientString].self, forKey: .metadata)?
            .mapValues(\.value)
        messageStream = try container.decodeIfPresent(String.self, forKey: .messageStream)
        trackOpens = try container.decodeIfPresent(Bool.self, forKey: .trackOpens)
        trackLinks = try container.decodeIfPresent(String.self, forKey: .trackLinks)
    }
}

/// A JSON scalar kept as text: Postmark metadata values are strings, but numbers and booleans are
/// accepted rather than failing the whole request.
struct LenientString: Decodable, Sendable {
    var value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            value = string
        } else if let int = try? container.decode(Int.self) {
            value = String(int)
        } else if let double = try? container.decode(Double.self) {
            value = String(double)
        } else if let bool = try? container.decode(Bool.self) {
            value = String(bool)
        } else if container.decodeNil() {
            value = ""
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "metadata values must be scalars")
        }
    }
}

/// One element of a batch body: a message that failed to decode fails alone (ErrorCode 300)
/// instead of failing the whole batch.
struct PostmarkBatchElement: Decodable, Sendable {
    var message: PostmarkEmailRequest?

    init(from decoder: any Decoder) throws {
        message = try? PostmarkEmailRequest(from: decoder)
    }
}
