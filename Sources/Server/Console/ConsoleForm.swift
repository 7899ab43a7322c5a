import Foundation
import Hummingbird
import Providers

/// A decoded form body or query string. Repeated names keep the last value.
struct ConsoleForm: Sendable {
    private var values: [String: String] = [:]

    /// No fields.
    static let empty = ConsoleForm()

    private init() {}

    /// Decodes `text` (at most 64 KiB); a malformed one is refused with 400.
    init(_ text: String) throws {
        guard text.utf8.count <= 64 * 1024, let pairs = FormURLEncoding.decode(text) else {
            throw Refusal(HeraldServer.text(.badRequest, "malformed form or query string"))
        }
        for (name, value) in pairs { values[name] = value }
    }

    /// The trimmed value, nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The request's query string as a form.
    init(queryOf request: Request) throws {
        try self.init(request.uri.query ?? "")
    }
}
