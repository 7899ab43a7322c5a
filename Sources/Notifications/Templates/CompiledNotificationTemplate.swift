public import Foundation
public import HeraldJSON
import Mail
import Mustache

/// A ``NotificationTemplate`` whose columns are parsed and ready to render any number of times.
public struct CompiledNotificationTemplate: Sendable {
    /// The template's key.
    public let key: String
    /// The tenant of the override, or `nil` for the default.
    public let tenantID: UUID?

    // Parsed once by swift-mustache and rendered through its public API; a ``JSONValue``
    // context is handed over as ``JSONValue/mustacheContext``, which swift-mustache reads
    // through its customisation protocols (`MustacheParent`, `MustacheSequence` …).
    private let fields: [String: (template: MustacheTemplate, output: TemplateField.Output)]

    /// Put in front of non-HTML fields. It stands alone on its line, so Mustache removes the
    /// line entirely and the field renders exactly as written, only without HTML escaping.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}\n"

    /// Parses every source of `template`; `outputs` says how each column is treated (a column
    /// not listed is plain text).
    init(_ template: NotificationTemplate, outputs: [String: TemplateField.Output]) throws {
        self.key = template.key
        self.tenantID = template.tenantID
        var fields: [String: (template: MustacheTemplate, output: TemplateField.Output)] = [:]
        for (column, source) in template.sources {
            let output = outputs[column] ?? .text
            fields[column] = (try Self.parse(source, field: column, html: output == .html, of: template), output)
        }
        self.fields = fields
    }

    /// Renders every column with `context`.
    public func render(context: JSONValue) -> RenderedNotification {
        self.render(context: context, columns: nil)
    }

    /// Renders only `columns` (those the template has) with `context`, exactly as
    /// ``render(context:)`` renders them: what one channel needs.
    public func render(context: JSONValue, columns: [String]?) -> RenderedNotification {
        // A null context renders like an empty object.
        self.render(root: context.mustacheContext ?? [String: Any](), columns: columns)
    }

    /// Renders every column with a dictionary of plain Swift values. `nil` values (optionals boxed
    /// in `Any`) are treated like missing keys, as in a ``JSONValue`` context, instead of
    /// rendering as "nil".
    public func render(context: [String: Any]) -> RenderedNotification {
        self.render(root: Self.removingNils(context) ?? [String: Any](), columns: nil)
    }

    private func render(root: Any, columns: [String]?) -> RenderedNotification {
        var rendered: [String: String] = [:]
        for column in columns ?? Array(fields.keys) {
            guard let field = fields[column] else { continue }
            let text = field.template.render(root)
            switch field.output {
            case .html, .text: rendered[column] = text
            case .headerLine: rendered[column] = HeaderSanitizer.sanitize(text)
            case .trimmedText: rendered[column] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return RenderedNotification(fields: rendered)
    }

    private static func removingNils(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return Self.removingNils(wrapped)
        }
        if let dictionary = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, member) in dictionary {
                if let kept = Self.removingNils(member) { result[key] = kept }
            }
            return result
        }
        if let array = value as? [Any] {
            return array.map { Self.removingNils($0) ?? NSNull() }
        }
        return value
    }

    private static func parse(_ source: String, field: String, html: Bool, of template: NotificationTemplate) throws -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: html ? source : Self.textPragma + source)
        } catch let error as MustacheTemplate.ParserError {
            let line = html ? error.context.lineNumber : max(1, error.context.lineNumber - 1)
            let owner = template.tenantID.map { "tenant \($0.uuidString.lowercased())" } ?? "default"
            throw DeliveryError(
                code: .templateSyntax,
                message: "template '\(template.key)' (\(owner)), \(field): \(Self.describe(error.error)) at line \(line), column \(error.context.columnNumber): \(error.context.line)"
            )
        } catch {
            throw DeliveryError(code: .templateSyntax, message: "template '\(template.key)', \(field): \(error)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "closing tag does not match the open section"
        case .unfinishedName: return "unfinished or malformed tag"
        case .expectedSectionEnd: return "section is never closed"
        case .invalidSetDelimiter: return "invalid set-delimiter tag"
        case .transformAppliedToInheritanceSection: return "transform applied to an inheritance section"
        case .illegalTokenInsideInheritSection: return "illegal tag inside an inheritance section"
        case .textInsideInheritSection: return "text inside an inheritance section"
        case .invalidConfigVariableSyntax: return "malformed pragma"
        case .unrecognisedConfigVariable: return "unknown pragma"
        @unknown default: return "\(error)"
        }
    }
}
