import struct Providers.PostmarkHeader

/// Postmark's checks on one message, as pure logic, rule by rule from Postmark's documentation
/// (docs/providers.md lists each rule with its source and its test). Inactive recipients are
/// checked afterwards against the sandbox's state. Where the documentation is vague the check
/// is stricter than Postmark.
enum PostmarkValidator {
    /// At most 50 recipients per message, To, Cc and Bcc together.
    static let maxRecipients = 50
    /// `Tag`: at most 1,000 characters.
    static let maxTagLength = 1000
    /// `Subject`: one header line (RFC 5322 §2.1.1, 998 characters; Postmark documents no limit).
    static let maxSubjectLength = 998
    /// `TextBody` and `HtmlBody`: at most 5 MB each (decimal megabytes: the stricter reading).
    static let maxBodyBytes = 5_000_000
    /// A whole message, bodies, headers and (base64) attachments: at most 10 MB.
    static let maxMessageBytes = 10_000_000
    /// A whole `/email/batch` body: at most 50 MB.
    static let maxBatchBytes = 50_000_000
    /// A header line: RFC 5322 §2.1.1 caps a line at 998 characters (stricter than Postmark).
    static let maxHeaderLineBytes = 998

    /// The bare recipient addresses (To, then Cc, then Bcc) of a valid message, or Postmark's error.
    /// - Parameter streams: the server's message streams by id; `MessageStream` absent means `outbound`.
    static func validate(
        _ request: PostmarkEmailRequest, streams: [String: PostmarkStreamType] = SandboxProviders.Configuration.defaultMessageStreams
    ) -> Result<[String], PostmarkAPIError> {
        guard let from = request.from, !from.trimmingSpaces().isEmpty else {
            return .failure(.invalidRequest("Invalid 'From' address: no sender was specified."))
        }
        do {
            let senders = try EmailAddressList.parse(from)
            guard senders.count == 1 else {
                return .failure(.invalidRequest("Invalid 'From' address: '\(from)' must be exactly one address."))
            }
        } catch {
            return .failure(illegal(field: "From", error))
        }
        guard let to = request.to, !to.trimmingSpaces().isEmpty else {
            return .failure(.invalidRequest("Zero recipients specified"))
        }
        var recipients: [String] = []
        for (field, value) in [("To", to), ("Cc", request.cc), ("Bcc", request.bcc)] {
            guard let value else { continue }
            do {
                recipients += try EmailAddressList.parse(value).map(\.address)
            } catch {
                return .failure(illegal(field: field, error))
            }
        }
        guard !recipients.isEmpty else { return .failure(.invalidRequest("Zero recipients specified")) }
        guard recipients.count <= maxRecipients else {
            return .failure(.invalidRequest("Maximum of \(maxRecipients) recipients allowed per email message (To, Cc and Bcc together); this one has \(recipients.count)."))
        }
        if let replyTo = request.replyTo, !replyTo.trimmingSpaces().isEmpty {
            do { _ = try EmailAddressList.parse(replyTo) } catch { return .failure(illegal(field: "ReplyTo", error)) }
        }
        guard let subject = request.subject, !subject.trimmingSpaces().isEmpty else {
            return .failure(.invalidRequest("Provide a Subject for the message."))
        }
        guard !containsControl(subject, allowTab: false) else {
            return .failure(.invalidRequest("Invalid 'Subject': it may not contain line breaks or control characters."))
        }
        guard subject.utf16.count <= maxSubjectLength else {
            return .failure(.invalidRequest("Invalid 'Subject': longer than \(maxSubjectLength) characters."))
        }
        let html = request.htmlBody ?? ""
        let text = request.textBody ?? ""
        guard !html.isEmpty || !text.isEmpty else {
            return .failure(.invalidRequest("Provide either email TextBody or HtmlBody or both."))
        }
        guard html.utf8.count <= maxBodyBytes, text.utf8.count <= maxBodyBytes else {
            return .failure(.invalidRequest("TextBody and HtmlBody can each be at most 5 MB."))
        }
        for header in request.headers ?? [] {
            if let error = headerError(header) { return .failure(.invalidRequest(error)) }
        }
        if let metadata = request.metadata, let error = metadataError(metadata) {
            return .failure(.invalidRequest(error))
        }
        if let tag = request.tag {
            guard tag.utf16.count <= maxTagLength else {
                return .failure(.invalidRequest("Invalid 'Tag': at most \(maxTagLength) characters."))
            }
            guard !containsControl(tag, allowTab: false) else {
                return .failure(.invalidRequest("Invalid 'Tag': it may not contain line breaks or control characters."))
            }
        }
        let stream = request.messageStream ?? "outbound"
        switch streams[stream] {
        case nil: return .failure(.messageStream(stream, inbound: false))
        case .inbound?: return .failure(.messageStream(stream, inbound: true))
        case .transactional?, .broadcasts?: break
        }
        for attachment in request.attachments ?? [] {
            guard PostmarkAttachment.isAllowedName(attachment.name) else { return .failure(.forbiddenAttachment(attachment.name)) }
            guard PostmarkAttachment.isBase64(attachment.content) else {
                return .failure(.invalidRequest("Invalid attachment '\(attachment.name)': Content must be base64."))
            }
            guard !attachment.contentType.trimmingSpaces().isEmpty, attachment.contentType.contains("/") else {
                return .failure(.invalidRequest("Invalid attachment '\(attachment.name)': ContentType must be a media type."))
            }
        }
        guard size(of: request) <= maxMessageBytes else {
            return .failure(.invalidRequest("The total message size, including attachments, may not exceed 10 MB."))
        }
        return .success(recipients)
    }

    /// Why a custom header is refused, or nil: a name of printable ASCII without `:` (RFC 5322
    /// field-name), a value without CR, LF or other control characters but tab, each line at most
    /// 998 characters.
    static func headerError(_ header: PostmarkHeader) -> String? {
        let name = header.name
        guard !name.isEmpty else { return "Every entry of Headers needs a Name." }
        guard name.utf8.allSatisfy({ (33...126).contains($0) && $0 != UInt8(ascii: ":") }) else {
            return "Invalid header name '\(name)': printable ASCII without spaces or ':' only."
        }
        guard !containsControl(header.value, allowTab: true) else {
            return "Invalid value of header '\(name)': it may not contain line breaks or control characters."
        }
        guard name.utf8.count + 2 + header.value.utf8.count <= maxHeaderLineBytes else {
            return "Header '\(name)' is longer than \(maxHeaderLineBytes) characters."
        }
        return nil
    }

    /// Why `Metadata` is refused (Custom metadata FAQ), or nil.
    static func metadataError(_ metadata: [String: String]) -> String? {
        let limits = "Field names are limited to 20 characters and field values are limited to 80 characters, with at most 10 fields."
        guard metadata.count <= 10 else { return "Invalid metadata content: \(metadata.count) fields. \(limits)" }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.utf16.count <= 20 else { return "Invalid metadata content: field name '\(name)'. \(limits)" }
            guard value.utf16.count <= 80 else { return "Invalid metadata content: value of '\(name)'. \(limits)" }
        }
        return nil
    }

    /// The bytes Postmark counts towards the 10 MB: every text field and the base64 attachments.
    static func size(of request: PostmarkEmailRequest) -> Int {
        var total = 0
        for part in [request.from, request.to, request.cc, request.bcc, request.subject, request.htmlBody, request.textBody, request.replyTo, request.tag] {
            total += part?.utf8.count ?? 0
        }
        for header in request.headers ?? [] { total += header.name.utf8.count + header.value.utf8.count + 4 }
        for attachment in request.attachments ?? [] { total += attachment.content.utf8.count + attachment.name.utf8.count }
        return total
    }

    /// True when `text` has a C0 control character (or DEL); tab only when `allowTab` is false.
    static func containsControl(_ text: String, allowTab: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && !(allowTab && scalar == "\t")) || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}"
        }
    }

    private static func illegal(field: String, _ error: EmailAddressList.InvalidAddress) -> PostmarkAPIError {
        let suffix = error.missingAt ? " It must contain the '@' symbol." : ""
        return .invalidRequest("Error parsing '\(field)': Illegal email address '\(error.text)'.\(suffix)")
    }
}
