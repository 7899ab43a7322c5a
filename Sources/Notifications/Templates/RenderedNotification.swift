/// The output of a ``CompiledNotificationTemplate``: each rendered column, by column name, after
/// its field's treatment (HTML escaping, a header line, trimming: ``TemplateField/Output``).
public struct RenderedNotification: Sendable, Hashable {
    /// The rendered text of each column that was rendered.
    public var fields: [String: String]

    /// Creates a rendered notification from its fields.
    public init(fields: [String: String]) { self.fields = fields }

    /// The rendered text of `column`, or nil when the template has no such column or it was not rendered.
    public subscript(column: String) -> String? { fields[column] }
}
