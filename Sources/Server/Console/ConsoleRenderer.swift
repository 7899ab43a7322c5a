import Foundation
import Mustache
import Postgres

/// Renders the console's pages from ``ConsoleTemplates`` (compiled once per process).
struct ConsoleRenderer: Sendable {
    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            do {
                try library.register(text, named: name)
            } catch {
                // The templates are constants of this binary: a parse error is a programming
                // error that the console tests catch before any release.
                fatalError("console template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// The template `name` rendered with `context` (HTML-escaped values).
    func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    /// A row as a template context: every column by name, as its PostgreSQL text; NULL becomes
    /// `NSNull`, which renders as nothing, is false in a section, and (unlike a missing key)
    /// does not let Mustache climb to a same-named value of an enclosing context.
    static func context(_ row: PostgresRow) -> [String: Any] {
        var context: [String: Any] = [:]
        for (index, name) in row.columns.enumerated() {
            context[name] = row.text(at: index) ?? NSNull()
        }
        return context
    }

    static func contexts(_ rows: PostgresRows) -> [[String: Any]] {
        rows.map(context)
    }

    /// Percent-encodes `text` for a query-string value.
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
