/// Why a document is not JSON (RFC 8259), and where: the byte offset of the first byte that made
/// it invalid (for an input that ends too early, the input's length).
///
/// The `message` names the problem and, at most, the offending character; it never quotes the
/// document, so it is safe to log. The `code` is stable and meant for programs.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, comparable category of `JSONParseError`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unexpectedEnd
            case unexpectedCharacter
            case trailingComma
            case trailingData
            case invalidNumber
            case numberOutOfRange
            case controlCharacterInString
            case invalidEscape
            case loneSurrogate
            case invalidUTF8
            case depthLimitExceeded
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input ended inside a value (or was empty, or only whitespace).
        public static let unexpectedEnd = Code(.unexpectedEnd)
        /// A byte that cannot start a value or continue the current one (a missing comma or colon,
        /// a key that is not a string, a misspelt `true`/`false`/`null`, a byte order mark …).
        public static let unexpectedCharacter = Code(.unexpectedCharacter)
        /// A comma directly before `]` or `}`.
        public static let trailingComma = Code(.trailingComma)
        /// Something other than whitespace after the top-level value.
        public static let trailingData = Code(.trailingData)
        /// A number that breaks the grammar: leading zeros, `-` or `.` without digits, an empty exponent.
        public static let invalidNumber = Code(.invalidNumber)
        /// A number too large in magnitude for a `Double` (it would be infinite).
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// A byte below U+0020 inside a string; it must be escaped.
        public static let controlCharacterInString = Code(.controlCharacterInString)
        /// A backslash followed by anything but `" \ / b f n r t u`, or `\u` without four hex digits.
        public static let invalidEscape = Code(.invalidEscape)
        /// A `\u` escape of a UTF-16 surrogate that is not part of a high–low pair.
        public static let loneSurrogate = Code(.loneSurrogate)
        /// Bytes inside a string that are not well-formed UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Arrays and objects nested deeper than the parser's limit.
        public static let depthLimitExceeded = Code(.depthLimitExceeded)

        public var description: String { base.rawValue }
    }

    /// What kind of error this is.
    public let code: Code
    /// The byte offset (from the start of the input) where the document stopped being JSON.
    public let offset: Int
    /// A human-readable explanation that does not quote the document.
    public let message: String

    public var description: String { "JSONParseError.\(code) at byte \(offset): \(message)" }
}
