import Foundation
import Mustache

/// Renders ``NotificationTemplate``s with Mustache (hummingbird-project/swift-mustache).
///
/// Escaping follows the output: in the HTML body `{{var}}` is HTML-escaped (use `{{{var}}}` only
/// for trusted markup); in the subject, text body and SMS body nothing is HTML-escaped — they are
/// compiled under the `{{% CONTENT_TYPE: TEXT}}` pragma — so "Tom & Jerry" stays "Tom & Jerry".
/// A template that does not parse is a `DeliveryError` `.templateSyntax` naming the template, the
/// field, the line and the column. Missing variables render empty (Mustache semantics).
public struct TemplateRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// Parses all fields of `template` once, for repeated rendering.
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func compile(_ template: NotificationTemplate) throws -> CompiledNotificationTemplate {
        try CompiledNotificationTemplate(template)
    }

    /// Renders `template` with a JSON-like context.
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func render(_ template: NotificationTemplate, context: TemplateValue) throws -> RenderedNotification {
        try self.compile(template).render(context: context)
    }

    /// Renders `template` with a dictionary context of plain Swift values (`String`, `Int`,
    /// `Double`, `Bool`, arrays and `[String: Any]` dictionaries).
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func render(_ template: NotificationTemplate, context: [String: Any]) throws -> RenderedNotification {
        try self.compile(template).render(context: context)
    }
}
