import Foundation
public import HeraldJSON
import Mustache

/// Renders ``NotificationTemplate``s with Mustache (hummingbird-project/swift-mustache).
///
/// Escaping follows each column's ``TemplateField/Output``: in an HTML column (`html_body`)
/// `{{var}}` is HTML-escaped (use `{{{var}}}` only for trusted markup); every other column is
/// compiled under the `{{% CONTENT_TYPE: TEXT}}` pragma, so "Tom & Jerry" stays "Tom & Jerry".
/// A template that does not parse is a `DeliveryError` `.templateSyntax` naming the template, the
/// column, the line and the column number. Missing variables render empty (Mustache semantics).
public struct TemplateRenderer: Sendable {
    /// How each column is treated, from the channels' ``NotificationChannel/templateFields``.
    public let outputs: [String: TemplateField.Output]

    /// Creates a renderer for `fields` (default: the fields of the built-in channels, email and SMS).
    public init(fields: [TemplateField] = BuiltInChannels.templateFields) {
        self.outputs = Dictionary(fields.map { ($0.column, $0.output) }, uniquingKeysWith: { first, _ in first })
    }

    /// Parses all columns of `template` once, for repeated rendering.
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func compile(_ template: NotificationTemplate) throws -> CompiledNotificationTemplate {
        try CompiledNotificationTemplate(template, outputs: outputs)
    }

    /// Renders `template` with a JSON-like context.
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func render(_ template: NotificationTemplate, context: JSONValue) throws -> RenderedNotification {
        try self.compile(template).render(context: context)
    }

    /// Renders `template` with a dictionary context of plain Swift values (`String`, `Int`,
    /// `Double`, `Bool`, arrays and `[String: Any]` dictionaries).
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func render(_ template: NotificationTemplate, context: [String: Any]) throws -> RenderedNotification {
        try self.compile(template).render(context: context)
    }
}
