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

    /// A template value: the text, or `NSNull` for none, which renders as nothing, is false in a
    /// section, and (unlike a missing key) does not let Mustache climb to a same-named value of an
    /// enclosing context.
    static func text(_ value: String?) -> Any { value ?? NSNull() }

    /// A number as its decimal text, `NSNull` for none.
    static func number(_ value: (some BinaryInteger)?) -> Any { value.map { String($0) } ?? NSNull() }

    /// A time as `YYYY-MM-DD HH:MM:SS` in UTC, `NSNull` for none.
    static func time(_ date: Date?) -> Any { date.map(utc) ?? NSNull() }

    /// `YYYY-MM-DD HH:MM:SS` in UTC, as the console shows every time.
    static func utc(_ date: Date) -> String { String(PostgresTimestamp.format(date).prefix(19)) }

    /// Percent-encodes `text` for a query-string value.
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
