/// One `notification_templates` column a channel renders: how its variables are escaped and what
/// is done to the rendered text.
public struct TemplateField: Sendable, Hashable {
    /// What the rendered text is for.
    public enum Output: Sendable, Hashable {
        /// HTML: `{{var}}` is HTML-escaped.
        case html
        /// Plain text, kept as rendered.
        case text
        /// A header line: line breaks become spaces (``HeaderSanitizer``).
        case headerLine
        /// A short message: surrounding white space is trimmed.
        case trimmedText
    }

    /// The column name, e.g. `html_body`; also the key of ``RenderedNotification`` and ``NotificationTemplate/sources``.
    public var column: String
    public var output: Output

    public init(_ column: String, _ output: Output) {
        self.column = column
        self.output = output
    }
}
