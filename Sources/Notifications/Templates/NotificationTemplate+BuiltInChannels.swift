public import Foundation

extension NotificationTemplate {
    /// A template with the columns of the built-in channels: email's `subject`, `html_body` and
    /// `text_body`, and SMS's `sms_body` when given.
    public init(key: String, tenantID: UUID? = nil, subject: String, htmlBody: String, textBody: String, smsBody: String? = nil) {
        var sources = [EmailChannel.subject: subject, EmailChannel.htmlBody: htmlBody, EmailChannel.textBody: textBody]
        sources[SMSChannel.smsBody] = smsBody
        self.init(key: key, tenantID: tenantID, sources: sources)
    }
}

extension RenderedNotification {
    /// The rendered email subject, on one line (line breaks from the template or data became spaces).
    public var subject: String { fields[EmailChannel.subject] ?? "" }
    /// The rendered HTML body; variables were HTML-escaped.
    public var htmlBody: String { fields[EmailChannel.htmlBody] ?? "" }
    /// The rendered plain-text body; variables were inserted verbatim.
    public var textBody: String { fields[EmailChannel.textBody] ?? "" }
    /// The rendered SMS text, trimmed; nil when the template has no SMS body or it was not rendered.
    public var smsBody: String? { fields[SMSChannel.smsBody] }
}
