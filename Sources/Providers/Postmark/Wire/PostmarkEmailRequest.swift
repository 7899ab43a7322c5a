public import Mail
/// The JSON body of Postmark's `POST /email` (and one element of `POST /email/batch`), with
/// Postmark's exact field names.
///
/// Herald does its own open and click tracking, so `TrackOpens` is always `false` and
/// `TrackLinks` always `"None"`. Absent optional fields are left out of the JSON.
public struct PostmarkEmailRequest: Sendable, Hashable, Codable {
    /// The longest `Subject` Herald sends (one RFC 5322 header line).
    public static let maximumSubjectLength = 998
    /// Postmark's limit on `Tag`.
    public static let maximumTagLength = 1000

    /// `From`: the sender, `"Name" <address>` or a bare address.
    public var from: String
    /// `To`: the recipient(s), comma separated.
    public var to: String
    /// `Cc`, if any.
    public var cc: String?
    /// `Subject`.
    public var subject: String
    /// `HtmlBody`; Postmark needs it or `TextBody`.
    public var htmlBody: String?
    /// `TextBody`.
    public var textBody: String?
    /// `ReplyTo`.
    public var replyTo: String?
    /// `Headers`: custom headers such as `Message-ID` with `X-PM-KeepID`.
    public var headers: [PostmarkHeader]
    /// `Tag`: a category for Postmark's statistics and webhooks.
    public var tag: String?
    /// `Metadata`: string pairs echoed back in webhooks, always within Postmark's limits
    /// (``PostmarkMetadata/limited(_:)`` is applied on every assignment).
    public var metadata: [String: String]? {
        didSet { if let metadata, !PostmarkMetadata.isWithinLimits(metadata) { self.metadata = PostmarkMetadata.limited(metadata) } }
    }
    /// `MessageStream`: `outbound` (transactional) unless configured otherwise.
    public var messageStream: String
    /// Always `false`: Herald tracks opens itself.
    public private(set) var trackOpens: Bool = false
    /// Always `"None"`: Herald rewrites links itself.
    public private(set) var trackLinks: String = "None"

    /// Creates a request. `messageStream` defaults to Postmark's transactional stream, `outbound`.
    public init(
        from: String,
        to: String,
        cc: String? = nil,
        subject: String,
        htmlBody: String?,
        textBody: String?,
        replyTo: String? = nil,
        headers: [PostmarkHeader] = [],
        tag: String? = nil,
        metadata: [String: String]? = nil,
        messageStream: String = "outbound"
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        // One header line (RFC 5322: 998 characters); a template's subject can exceed it once rendered.
        self.subject = TextLimit.cut(subject, toUTF16Length: Self.maximumSubjectLength, ellipsis: "…")
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.replyTo = replyTo
        self.headers = headers
        self.tag = tag.map { TextLimit.cut($0, toUTF16Length: Self.maximumTagLength) }
        self.metadata = metadata.map(PostmarkMetadata.limited)
        self.messageStream = messageStream
    }

    /// The request for a composed email: that of its ``ComposedEmail/built`` email.
    public init(_ email: ComposedEmail, messageStream: String = "outbound") {
        self.init(email.built, messageStream: messageStream)
    }

    /// Decodes a request as Postmark would receive it (absent `Headers` is empty, absent
    /// `MessageStream` is `outbound`); tracking flags are always reset to Herald's values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            from: try container.decode(String.self, forKey: .from),
            to: try container.decode(String.self, forKey: .to),
            cc: try container.decodeIfPresent(String.self, forKey: .cc),
            subject: try container.decodeIfPresent(String.self, forKey: .subject) ?? "",
            htmlBody: try container.decodeIfPresent(String.self, forKey: .htmlBody),
            textBody: try container.decodeIfPresent(String.self, forKey: .textBody),
            replyTo: try container.decodeIfPresent(String.self, forKey: .replyTo),
            headers: try container.decodeIfPresent([PostmarkHeader].self, forKey: .headers) ?? [],
            tag: try container.decodeIfPresent(String.self, forKey: .tag),
            metadata: try container.decodeIfPresent([String: String].self, forKey: .metadata),
            messageStream: try container.decodeIfPresent(String.self, forKey: .messageStream) ?? "outbound"
        )
    }

    enum CodingKeys: String, CodingKey {
        case from = "From"
        case to = "To"
        case cc = "Cc"
        case subject = "Subject"
        case htmlBody = "HtmlBody"
        case textBody = "TextBody"
        case replyTo = "ReplyTo"
        case headers = "Headers"
        case tag = "Tag"
        case metadata = "Metadata"
        case messageStream = "MessageStream"
        case trackOpens = "TrackOpens"
        case trackLinks = "TrackLinks"
    }
}
