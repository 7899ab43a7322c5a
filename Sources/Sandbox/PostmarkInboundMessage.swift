public import Foundation
public import struct Providers.PostmarkHeader

/// One address of an inbound message as Postmark parses it: `{"Email", "Name", "MailboxHash"}`.
public struct PostmarkInboundAddress: Sendable, Hashable, Codable {
    /// `Email`.
    public var email: String
    /// `Name` (display name, may be empty).
    public var name: String
    /// `MailboxHash`: the part after `+` in the local part (`reply+abc@x` → `abc`), else empty.
    public var mailboxHash: String

    /// Creates an address; the mailbox hash is taken from `email`.
    public init(email: String, name: String = "") {
        self.email = email
        self.name = name
        self.mailboxHash = PostmarkInboundAddress.mailboxHash(of: email)
    }

    /// The plus-addressing part of an address: the local part after its first `+`, or `""`.
    public static func mailboxHash(of email: String) -> String {
        let local = email.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let plus = local.firstIndex(of: "+") else { return "" }
        return String(local[local.index(after: plus)...])
    }

    enum CodingKeys: String, CodingKey {
        case email = "Email", name = "Name", mailboxHash = "MailboxHash"
    }
}

/// Postmark's Inbound webhook: an email received at an inbound address, parsed to JSON.
/// Herald uses it for replies: `To` is `reply+<token>@<reply domain>`, so ``mailboxHash`` carries the token,
/// and the `In-Reply-To` / `References` headers name the message answered.
public struct PostmarkInboundMessage: PostmarkWebhookPayload, Hashable {
    /// `From` (bare address).
    public var from: String
    /// `FromName`.
    public var fromName: String
    /// `To` as written in the message (`"Name" <address>` or the bare address).
    public var to: String
    /// `ToFull`.
    public var toFull: [PostmarkInboundAddress]
    /// `Cc` as written.
    public var cc: String
    /// `CcFull`.
    public var ccFull: [PostmarkInboundAddress]
    /// `OriginalRecipient`: the inbound address that received it.
    public var originalRecipient: String
    /// `Subject`.
    public var subject: String
    /// `MessageID`: Postmark's ID of the inbound message (not the `Message-ID` header).
    public var messageID: String
    /// `ReplyTo`.
    public var replyTo: String
    /// `MailboxHash` of the first To address.
    public var mailboxHash: String
    /// `Date` as the sending server wrote it (RFC 2822).
    public var date: String
    /// `TextBody`.
    public var textBody: String
    /// `HtmlBody`.
    public var htmlBody: String
    /// `StrippedTextReply`: the reply text without the quoted message.
    public var strippedTextReply: String
    /// `Tag`.
    public var tag: String
    /// `MessageStream` (`"inbound"`).
    public var messageStream: String
    /// `Headers`: `Message-ID`, `In-Reply-To` and `References` when given, then the extra headers.
    public var headers: [PostmarkHeader]

    /// `FromFull`.
    public var fromFull: PostmarkInboundAddress { PostmarkInboundAddress(email: from, name: fromName) }

    /// Creates an inbound message.
    /// - Parameters:
    ///   - emailMessageID: the `Message-ID` header of the reply (default: a new `<uuid@sandbox.invalid>`).
    ///   - inReplyTo: the `In-Reply-To` header, the Message-ID of the message answered.
    ///   - references: the `References` chain, oldest first (sent space-separated).
    ///   - strippedTextReply: defaults to `textBody`.
    public init(
        from: String, fromName: String = "", to: String, toName: String = "", subject: String, textBody: String,
        htmlBody: String = "", strippedTextReply: String? = nil, emailMessageID: String? = nil,
        inReplyTo: String? = nil, references: [String] = [], extraHeaders: [PostmarkHeader] = [],
        cc: [PostmarkInboundAddress] = [], replyTo: String = "", date: Date = Date(), tag: String = "",
        messageID: String = UUID().uuidString.lowercased(), messageStream: String = "inbound"
    ) {
        let recipient = PostmarkInboundAddress(email: to, name: toName)
        self.from = from
        self.fromName = fromName
        self.to = toName.isEmpty ? to : "\"\(toName)\" <\(to)>"
        self.toFull = [recipient]
        self.cc = cc.map { $0.name.isEmpty ? $0.email : "\"\($0.name)\" <\($0.email)>" }.joined(separator: ", ")
        self.ccFull = cc
        self.originalRecipient = to
        self.subject = subject
        self.messageID = messageID
        self.replyTo = replyTo
        self.mailboxHash = recipient.mailboxHash
        self.date = Timestamp.rfc2822(date)
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.strippedTextReply = strippedTextReply ?? textBody
        self.tag = tag
        self.messageStream = messageStream
        var headers = [
            PostmarkHeader(name: "Message-ID", value: emailMessageID ?? "<\(UUID().uuidString.lowercased())@sandbox.invalid>")
        ]
        if let inReplyTo { headers.append(PostmarkHeader(name: "In-Reply-To", value: inReplyTo)) }
        if !references.isEmpty {
            headers.append(PostmarkHeader(name: "References", value: references.joined(separator: " ")))
        }
        headers.append(PostmarkHeader(name: "X-Spam-Status", value: "No"))
        headers.append(PostmarkHeader(name: "MIME-Version", value: "1.0"))
        self.headers = headers + extraHeaders
    }

    /// The value of the first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    enum CodingKeys: String, CodingKey {
        case fromName = "FromName", messageStream = "MessageStream", from = "From", fromFull = "FromFull", to = "To"
        case toFull = "ToFull", cc = "Cc", ccFull = "CcFull", bcc = "Bcc", bccFull = "BccFull"
        case originalRecipient = "OriginalRecipient", subject = "Subject", messageID = "MessageID"
        case replyTo = "ReplyTo", mailboxHash = "MailboxHash", date = "Date", textBody = "TextBody"
        case htmlBody = "HtmlBody", strippedTextReply = "StrippedTextReply", tag = "Tag", headers = "Headers"
        case attachments = "Attachments"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fromName, forKey: .fromName)
        try container.encode(messageStream, forKey: .messageStream)
        try container.encode(from, forKey: .from)
        try container.encode(fromFull, forKey: .fromFull)
        try container.encode(to, forKey: .to)
        try container.encode(toFull, forKey: .toFull)
        try container.encode(cc, forKey: .cc)
        try container.encode(ccFull, forKey: .ccFull)
        try container.encode("", forKey: .bcc)
        try container.encode([PostmarkInboundAddress](), forKey: .bccFull)
        try container.encode(originalRecipient, forKey: .originalRecipient)
        try container.encode(subject, forKey: .subject)
        try container.encode(messageID, forKey: .messageID)
        try container.encode(replyTo, forKey: .replyTo)
        try container.encode(mailboxHash, forKey: .mailboxHash)
        try container.encode(date, forKey: .date)
        try container.encode(textBody, forKey: .textBody)
        try container.encode(htmlBody, forKey: .htmlBody)
        try container.encode(strippedTextReply, forKey: .strippedTextReply)
        try container.encode(tag, forKey: .tag)
        try container.encode(headers, forKey: .headers)
        try container.encode([String](), forKey: .attachments)
    }
}
