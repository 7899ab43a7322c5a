public import HeraldJSON

/// A user's `notification_preferences` row as the channels read it: every column, as text (`true`/`false` for booleans); a column is absent when it is NULL or the user has no
/// preferences row. The store reads the whole row, so a channel's migration that adds columns
/// needs no change outside the channel's folder; each channel reads its own columns through typed
/// accessors there (`preferences.email`, `preferences.phone`).
public struct ChannelPreferences: Sendable, Hashable {
    private var values: [String: String]

    /// Preferences with these column values.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The row as `row_to_json` prints it; nested values are kept as their JSON text.
    public init(json: JSONValue) {
        var values: [String: String] = [:]
        for (column, value) in json.objectMembers ?? [] {
            switch value {
            case .null: continue
            case .string(let text): values[column] = text
            case .bool(let flag): values[column] = flag ? "true" : "false"
            case .int(let number): values[column] = String(number)
            case .double(let number): values[column] = String(number)
            default: values[column] = "\(value)"
            }
        }
        self.values = values
    }

    /// The column's value, or nil when NULL or absent.
    public subscript(column: String) -> String? {
        get { values[column] }
        set { values[column] = newValue }
    }

    /// A boolean column: true only when it is `true`.
    public func flag(_ column: String) -> Bool { values[column] == "true" }
}
