public import Postgres

/// The arguments of a job kind, decoded from `herald_jobs.args` by the worker before the
/// handler runs (see ``JobHandler``).
///
/// A type refuses arguments by throwing a `DecodingError` from `init(from:)` (a value out of
/// range is `dataCorrupted` with a description that says what is allowed); the job then fails
/// at once with `invalid args for kind '<kind>': <what is wrong>`.
public protocol JobArguments: Decodable, Sendable {
    /// Decodes `args`. The default uses `JSONDecoder`; a hot kind may read its common shape
    /// faster, throwing a `DecodingError` for what it refuses, as the default would.
    static func decode(_ args: PostgresJSON) throws -> Self
}

extension JobArguments {
    public static func decode(_ args: PostgresJSON) throws -> Self { try args.decode(Self.self) }
}

/// For handlers that read `job.args` themselves: nothing is decoded and nothing refused.
public struct UndecodedArgs: JobArguments {
    public init() {}
    public init(from decoder: any Decoder) throws {}
    public static func decode(_ args: PostgresJSON) throws -> UndecodedArgs { UndecodedArgs() }
}

/// The one message of a job whose arguments do not decode.
enum InvalidJobArguments {
    /// `invalid args for kind '<kind>': <what is wrong>`, naming the key, not its value (arguments
    /// may hold addresses or phone numbers, and the message is logged).
    static func message(kind: String, _ error: any Error) -> String {
        "invalid args for kind '\(kind)': \(reason(error))"
    }

    static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key \(path(context.codingPath + [key]))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null, expected \(expected(type))"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(expected(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? context.debugDescription : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    /// `"a"`, `"a.b"`, `"items[2].id"`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return "\"\(text)\""
    }

    /// What a JSON writer would call `type`.
    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is Int8.Type,
             is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type, is UInt8.Type:
            return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") { return "an array" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return name
        }
    }
}
