import Foundation
public import HeraldJSON

/// A notification's `data` (a ``JSONValue``, parsed strictly by HeraldJSON) as a template context.
extension JSONValue {
    /// The value as the plain Swift objects Mustache walks: `String`, `Int`, `Double`, `Bool`,
    /// `[Any]`, `[String: Any]`, and `nil` for null (rendered empty, falsy in sections).
    ///
    /// A number that is an `Int` exactly (`3`, `3.0`, `1e2`, `-0`) is an `Int`, as `JSONDecoder`
    /// decodes it, so `{{count}}` renders `3`, not `3.0`. An object's null members are left out (a
    /// missing key renders empty and is falsy in sections); of a repeated key, the last one counts.
    public var mustacheValue: Any? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): Int(exactly: value).map { $0 as Any } ?? value
        case .string(let value): value
        case .array(let values): values.map { $0.mustacheValue ?? NSNull() } as [Any]
        case .object(let members): Self.mustacheObject(members)
        }
    }

    private static func mustacheObject(_ members: [(key: String, value: JSONValue)]) -> [String: Any] {
        var object: [String: Any] = [:]
        object.reserveCapacity(members.count)
        // Assigning nil removes the key: a later null hides an earlier value, as the last member wins.
        for member in members { object[member.key] = member.value.mustacheValue }
        return object
    }

    /// The value as a swift-mustache context: scalars as ``mustacheValue`` gives them, objects and
    /// arrays as views that convert members only when a template reaches them, `nil` for null.
    var mustacheContext: Any? {
        switch self {
        case .array(let elements): MustacheArray(elements: elements)
        case .object(let members): MustacheObject(members: members)
        case .null, .bool, .int, .double, .string: self.mustacheValue
        }
    }

    /// A template context: the object of `members` with the members of `json` (a notification's
    /// `data`) after them when it is a JSON object; `json`'s members win over `members` of the same
    /// name. Data that is not an object, or not JSON, adds nothing.
    static func context(_ members: [(key: String, value: JSONValue)], overlaidWith json: String) -> JSONValue {
        guard case .object(let data)? = try? JSONValue(parsing: json) else { return .object(members) }
        var members = members
        members.removeAll { member in data.contains { $0.key == member.key } }
        return .object(members + data)
    }
}
