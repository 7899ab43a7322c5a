/// An error of the HTTP side's setup (configuration), with a message fit for an operator.
public struct ServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable category.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A missing or invalid environment variable.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        public var description: String { base.rawValue }
    }

    /// The category.
    public let code: Code
    /// What is wrong and how to fix it (never a secret's value).
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
