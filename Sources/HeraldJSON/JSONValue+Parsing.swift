extension JSONValue {
    /// How deep arrays and objects may nest by default: Foundation's limit, deep enough for any
    /// payload and shallow enough that the recursive parser stays far from the end of the stack.
    public static let defaultMaximumDepth = 512

    /// Parses one JSON document (RFC 8259) from UTF-8 bytes, strictly: one value with optional
    /// whitespace around it; no trailing commas, leading zeros, comments, byte order mark,
    /// unescaped control characters, unknown escapes, lone surrogates or ill-formed UTF-8; no
    /// number whose magnitude overflows a `Double`; at most `maximumDepth` nested arrays and
    /// objects. A repeated object key keeps its first position and its last value.
    ///
    /// Throws a ``JSONParseError`` with the byte offset of the first problem.
    public init(parsing bytes: UnsafeRawBufferPointer, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        var parser = JSONParser(bytes.assumingMemoryBound(to: UInt8.self), maximumDepth: maximumDepth)
        self = try parser.parseDocument()
    }

    /// Parses one JSON document from UTF-8 bytes; see the raw-buffer `init(parsing:maximumDepth:)` for the rules.
    public init(parsing bytes: [UInt8], maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        self = try bytes.withUnsafeBytes { raw in Self.parse(raw, maximumDepth: maximumDepth) }.get()
    }

    /// Parses one JSON document from a string's UTF-8; see the raw-buffer `init(parsing:maximumDepth:)` for the rules.
    public init(parsing text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        var text = text
        self = try text.withUTF8 { utf8 in Self.parse(UnsafeRawBufferPointer(utf8), maximumDepth: maximumDepth) }.get()
    }

    // `withUnsafeBytes` and `withUTF8` rethrow untyped errors, so the typed error travels out as a Result.
    private static func parse(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int) -> Result<JSONValue, JSONParseError> {
        do {
            return .success(try JSONValue(parsing: bytes, maximumDepth: maximumDepth))
        } catch {
            return .failure(error)
        }
    }
}
