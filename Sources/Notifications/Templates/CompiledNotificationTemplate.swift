public import Foundation
import Mail
import Mustache

/// A ``NotificationTemplate`` whose fields are parsed and ready to render any number of times.
public struct CompiledNotificationTemplate: Sendable {
    /// The template's key.
    public let key: String
    /// The tenant of the override, or `nil` for the default.
    public let tenantID: UUID?

    // Parsed once by swift-mustache and rendered through its public API; a ``TemplateValue``
    // context is handed over as ``TemplateValue/mustacheContext``, which swift-mustache reads
    // through its customisation protocols (`MustacheParent`, `MustacheSequence` …).
    private let subject: MustacheTemplate
    private let htmlBody: MustacheTemplate
    private let textBody: MustacheTemplate
    private let smsBody: MustacheTemplate?

    /// Put in front of non-HTML fields. It stands alone on its line, so Mustache removes the
    /// line entirely and the field renders exactly as written, only without HTML escaping.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}\n"

    init(_ template: NotificationTemplate) throws {
        self.key = template.key
        self.tenantID = template.tenantID
        self.subject = try Self.parse(template.subject, field: "subject", html: false, of: template)
        self.htmlBody = try Self.parse(template.htmlBody, field: "htmlBody", html: true, of: template)
        self.textBody = try Self.parse(template.textBody, field: "textBody", html: false, of: template)
        self.smsBody = try template.smsBody.map { try Self.parse($0, field: "smsBody", html: false, of: template) }
    }

    /// Renders every field with `context`.
    public func render(context: TemplateValue) -> RenderedNotification {
        self.render(context: context, sms: true)
    }

    /// Renders the subject and both bodies with `context`, exactly as ``render(context:)`` does,
    /// but not the SMS body (`smsBody` is `nil`): what an email needs.
    public func renderEmail(context: TemplateValue) -> RenderedNotification {
        self.render(context: context, sms: false)
    }

    private func render(context: TemplateValue, sms: Bool) -> RenderedNotification {
        // A null context renders like an empty object.
        let root: Any = context.mustacheContext ?? [String: Any]()
        let subject = self.subject.render(root)
        let htmlBody = self.htmlBody.render(root)
        let textBody = self.textBody.render(root)
        let smsBody = sms ? self.smsBody?.render(root) : nil
        return RenderedNotification(
            subject: HeaderSanitizer.sanitize(subject),
            htmlBody: htmlBody,
            textBody: textBody,
            smsBody: smsBody.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        )
    }

    /// Renders every field with a dictionary of plain Swift values. `nil` values (optionals boxed
    /// in `Any`) are treated like missing keys, as in a ``TemplateValue`` context, instead of
    /// rendering as "nil".
    public func render(context: [String: Any]) -> RenderedNotification {
        self.render(object: Self.removingNils(context) ?? [String: Any]())
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

    private func render(object: Any) -> RenderedNotification {
        RenderedNotification(
            subject: HeaderSanitizer.sanitize(self.subject.render(object)),
            htmlBody: self.htmlBody.render(object),
            textBody: self.textBody.render(object),
            smsBody: self.smsBody.map { $0.render(object).trimmingCharacters(in: .whitespacesAndNewlines) }
        )
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
