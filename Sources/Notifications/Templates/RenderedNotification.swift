/// The output of ``TemplateRenderer``: subject, bodies and SMS text of one notification.
public struct RenderedNotification: Sendable, Hashable {
    /// The subject, on one line (line breaks from the template or data became spaces).
    public var subject: String
    /// The HTML body; variables were HTML-escaped.
    public var htmlBody: String
    /// The plain-text body; variables were inserted verbatim.
    public var textBody: String
    /// The SMS text, trimmed; `nil` when the template has no SMS body.
    public var smsBody: String?

    /// Creates a rendered notification.
    public init(subject: String, htmlBody: String, textBody: String, smsBody: String?) {
        self.subject = subject
        self.htmlBody = htmlBody
        self.textBody = textBody
        self.smsBody = smsBody
    }
}
