extension JSONValue {
    /// The value as compact JSON text (UTF-8), written by ``JSONWriter``: object members in their
    /// order, no whitespace. Parsing the result gives back an equal value, except that a
    /// ``double(_:)`` with an integral value up to 2^53 reads back as ``int(_:)``.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// ``jsonBytes`` as a `String`.
    public var jsonText: String {
        String(decoding: jsonBytes, as: UTF8.self)
    }
}
