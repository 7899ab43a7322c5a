public import HeraldJSON

extension TemplateValue {
    /// The template value of a JSON value, with the rules of the `Decodable` form: a number that is
    /// an `Int` exactly (`3`, `3.0`, `1e2`, `-0`) is ``int(_:)``, any other number ``double(_:)``;
    /// objects become dictionaries (a repeated key: the last wins).
    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value):
            if let integer = Int(exactly: value) { self = .int(integer) } else { self = .double(value) }
        case .string(let value): self = .string(value)
        case .array(let elements): self = .array(elements.map(TemplateValue.init(json:)))
        case .object(let members):
            var object: [String: TemplateValue] = [:]
            object.reserveCapacity(members.count)
            for member in members { object[member.key] = TemplateValue(json: member.value) }
            self = .object(object)
        }
    }

    /// Parses JSON text (a notification's `data` jsonb) strictly with ``HeraldJSON``; see ``init(json:)``.
    public init(parsingJSON text: String) throws(JSONParseError) {
        self.init(json: try JSONValue(parsing: text))
    }

    /// Parses JSON bytes strictly with ``HeraldJSON``; see ``init(json:)``.
    public init(parsingJSON bytes: [UInt8]) throws(JSONParseError) {
        self.init(json: try JSONValue(parsing: bytes))
    }
}
