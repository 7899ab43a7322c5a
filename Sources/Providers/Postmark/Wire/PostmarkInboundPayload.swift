public import Mail
/// The fields Herald reads from Postmark's inbound webhook (a reply to a discussion email), as
/// Postmark sends them. Every field is optional: a missing one is treated as empty.
public struct PostmarkInboundPayload: Decodable, Sendable {
    /// One `Headers` entry.
    public struct Header: Decodable, Sendable {
        public var name: String?
        public var value: String?
        enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
    }

    /// The sender (`FromFull`).
    public struct Address: Decodable, Sendable {
        public var email: String?
        public var name: String?
        public var mailboxHash: String?
        enum CodingKeys: String, CodingKey { case email = "Email", name = "Name", mailboxHash = "MailboxHash" }
    }

    public var from: String?
    public var fromName: String?
    public var fromFull: Address?
    public var to: String?
    public var originalRecipient: String?
    public var mailboxHash: String?
    public var subject: String?
    /// Postmark's id of the inbound message (stable across webhook retries).
    public var messageID: String?
    public var textBody: String?
    public var htmlBody: String?
    public var strippedTextReply: String?
    public var headers: [Header]?
    /// `Attachments`; `content` is the base64 text as received.
    public var attachments: [Attachment]?

    /// One `Attachments` entry: `Name`, `ContentType`, `ContentID`, `ContentLength`, `Content` (base64).
    public struct Attachment: Decodable, Sendable {
        public var name: String?
        public var contentType: String?
        public var contentID: String?
        public var contentLength: Int?
        public var content: String?
        enum CodingKeys: String, CodingKey {
            case name = "Name", contentType = "ContentType", contentID = "ContentID", contentLength = "ContentLength", content = "Content"
        }
    }

    enum CodingKeys: String, CodingKey {
        case from = "From", fromName = "FromName", fromFull = "FromFull", to = "To", originalRecipient = "OriginalRecipient"
        case mailboxHash = "MailboxHash", subject = "Subject", messageID = "MessageID", textBody = "TextBody", htmlBody = "HtmlBody"
        case strippedTextReply = "StrippedTextReply", headers = "Headers", attachments = "Attachments"
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers?.first { $0.name?.lowercased() == lowered }?.value
    }

    /// The sender's address.
    public var senderEmail: String { (fromFull?.email ?? from ?? "").trimmingWhitespace() }

    /// The Message-IDs of `References` and `In-Reply-To`, newest (most specific) first.
    public var referencedMessageIDs: [MessageID] {
        var ids: [MessageID] = []
        let inReplyTo = header("In-Reply-To").map { Self.messageIDs(in: $0) } ?? []
        let references = header("References").map { Self.messageIDs(in: $0) } ?? []
        for id in inReplyTo.reversed() + references.reversed() where !ids.contains(id) { ids.append(id) }
        return ids
    }

    /// Every `<…>` id in a header value.
    package static func messageIDs(in value: String) -> [MessageID] {
        var ids: [MessageID] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            if let id = MessageID(parsing: String(rest[open...close])) { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty, let id = MessageID(parsing: value) { ids.append(id) }
        return ids
    }
}
