public import Foundation
import Mail
import Mustache

/// A ``NotificationTemplate`` whose fields are parsed and ready to render any number of times.
public struct CompiledNotificationTemplate: Sendable {
    /// The template's key.
    public let key: String
    /// The tenant of the override, or `nil` for the default.
    public let tenantID: UUID?

    private let subject: Field
    private let htmlBody: Field
    private let textBody: Field
    private let smsBody: Field?

    /// One parsed field, with the direct renderer for ``TemplateValue`` contexts when the
    /// template allows it (see ``TemplateProgram``).
    private struct Field: Sendable {
        let template: MustacheTemplate
        let program: TemplateProgram?

        init(_ template: MustacheTemplate) {
            self.template = template
            self.program = TemplateProgram(template)
        }

        /// `plain` is the context converted for swift-mustache, made at most once per render.
        func render(_ context: TemplateValue, plain: inout Any?) -> String {
            if let program { return program.render(context) }
            if plain == nil { plain = context.mustacheValue ?? [String: Any]() }
            return self.template.render(plain ?? [String: Any]())
        }
    }

    /// Put in front of non-HTML fields. It stands alone on its line, so Mustache removes the
    /// line entirely and the field renders exactly as written, only without HTML escaping.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}\n"

    init(_ template: NotificationTemplate) throws {
        self.key = template.key
        self.tenantID = template.tenantID
        self.subject = Field(try Self.parse(template.subject, field: "subject", html: false, of: template))
        self.htmlBody = Field(try Self.parse(template.htmlBody, field: "htmlBody", html: true, of: template))
        self.textBody = Field(try Self.parse(template.textBody, field: "textBody", html: false, of: template))
        self.smsBody = try template.smsBody.map { Field(try Self.parse($0, field: "smsBody", html: false, of: template)) }
    }

    /// Whether every field renders ``TemplateValue`` contexts without swift-mustache's `Any`
    /// walk (see ``TemplateProgram``); for tests.
    var rendersDirectly: Bool {
        [self.subject, self.htmlBody, self.textBody].allSatisfy { $0.program != nil } && self.smsBody.map { $0.program != nil } ?? true
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
        var plain: Any?
        let subject = self.subject.render(context, plain: &plain)
        let htmlBody = self.htmlBody.render(context, plain: &plain)
        let textBody = self.textBody.render(context, plain: &plain)
        let smsBody = sms ? self.smsBody?.render(context, plain: &plain) : nil
        return RenderedNotification(
            subject: HeaderSanitizer.sanitize(subject),
            htmlBody: htmlBody,
            textBody: textBody,
            smsBody: smsBody.map(Self.trimmed)
        )
    }

    /// `text.trimmingCharacters(in: .whitespacesAndNewlines)`, skipping Foundation when both ends
    /// are ASCII outside that set (tab, LF, VT, FF, CR and space are its only ASCII members).
    static func trimmed(_ text: String) -> String {
        func isKept(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
        }
        if isKept(text.utf8.first) && isKept(text.utf8.last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
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
            subject: HeaderSanitizer.sanitize(self.subject.template.render(object)),
            htmlBody: self.htmlBody.template.render(object),
            textBody: self.textBody.template.render(object),
            smsBody: self.smsBody.map { $0.template.render(object).trimmingCharacters(in: .whitespacesAndNewlines) }
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
