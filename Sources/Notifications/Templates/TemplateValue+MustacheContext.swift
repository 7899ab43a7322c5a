extension TemplateValue {
    /// The value as a swift-mustache context: scalars as the Swift values `mustacheValue` gives
    /// (so strings keep their transforms and print as before), objects and arrays as views that
    /// convert members only when a template reaches them, and `nil` for null.
    var mustacheContext: Any? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let elements): MustacheArray(elements: elements)
        case .object(let members): MustacheObject(members: members)
        }
    }
}
