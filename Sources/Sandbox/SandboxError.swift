/// An error of the sandbox itself (not an API error it answers with).
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case notRunning, encoding }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The server is not listening (it stopped, or never started).
        public static let notRunning = Code(.notRunning)
        /// A payload could not be encoded.
        public static let encoding = Code(.encoding)
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable reason; never contains credentials.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "SandboxError(\(code)): \(message)" }
}
