public import HeraldJSON
import Mail

extension PostmarkInboundPayload {
    /// Reads the payload from a parsed webhook body, leniently: a field of the wrong JSON type is
    /// treated as missing (a hostile or odd payload is still stored, never refused for it).
    public init(json: JSONValue) {
        func string(_ value: JSONValue?) -> String? { value?.stringValue }
        self.from = string(json["From"])
        self.fromName = string(json["FromName"])
        if let full = json["FromFull"], case .object = full {
            self.fromFull = Address(email: string(full["Email"]), name: string(full["Name"]), mailboxHash: string(full["MailboxHash"]))
        } else {
            self.fromFull = nil
        }
        self.to = string(json["To"])
        self.originalRecipient = string(json["OriginalRecipient"])
        self.mailboxHash = string(json["MailboxHash"])
        self.subject = string(json["Subject"])
        self.messageID = string(json["MessageID"])
        self.textBody = string(json["TextBody"])
        self.htmlBody = string(json["HtmlBody"])
        self.strippedTextReply = string(json["StrippedTextReply"])
        self.headers = json["Headers"]?.arrayValue?.compactMap { entry -> Header? in
            guard case .object = entry else { return nil }
            return Header(name: string(entry["Name"]), value: string(entry["Value"]))
        }
        self.attachments = json["Attachments"]?.arrayValue?.compactMap { entry -> Attachment? in
            guard case .object = entry else { return nil }
            return Attachment(
                name: string(entry["Name"]), contentType: string(entry["ContentType"]), contentID: string(entry["ContentID"]),
                contentLength: entry["ContentLength"]?.intValue, content: string(entry["Content"]))
        }
    }

    /// The webhook body as stored in `inbound_emails.raw`: the same object with every
    /// attachment's `Content` left out (the files are stored decoded, in
    /// `inbound_email_attachments`) and NUL characters removed (jsonb cannot hold them).
    public static func storedRaw(_ json: JSONValue) -> JSONValue {
        guard case .object(let members) = json else { return .object([]) }
        return .object(members.map { member in
            guard member.key == "Attachments", case .array(let entries) = member.value else { return (member.key, scrubbed(member.value)) }
            return (member.key, .array(entries.map { entry in
                guard case .object(let fields) = entry else { return scrubbed(entry) }
                return .object(fields.filter { $0.key != "Content" }.map { ($0.key, scrubbed($0.value)) })
            }))
        })
    }

    private static func scrubbed(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(InboundText.withoutNUL(text))
        case .array(let values): .array(values.map(scrubbed))
        case .object(let members): .object(members.map { (InboundText.withoutNUL($0.key), scrubbed($0.value)) })
        default: value
        }
    }
}

/// Text hygiene for what goes into `inbound_emails`.
enum InboundText {
    /// Text without NUL characters (PostgreSQL text cannot hold them).
    static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? String(text.unicodeScalars.filter { $0 != "\u{0}" }.map(Character.init)) : text
    }
}
