extension TemplateValue {
    /// The value as a swift-mustache context: scalars as the Swift values `mustacheValue` gives
    /// (so strings keep their transforms and print as before), objects and arrays as views that
    /// convert members only when a template reaches them, and `nil` for null.
    var mustacheContext: Any? {
        switch self {
        case .array(let elements): MustacheArray(elements: elements)
        case .object(let members): MustacheObject(members: members)
        case .null, .bool, .int, .double, .string: self.mustacheValue
        }
    }
}
