/// An error of the job queue's Swift API: a request refused before any statement runs.
///
/// Database failures surface as `PostgresError`; a handler's timeout, an unknown kind and shutdown
/// are outcomes recorded on the job row (`last_error`), not errors thrown to callers.
public struct QueueError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case invalidJob }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The job request is malformed (bad priority, empty kind …).
        public static let invalidJob = Code(.invalidJob)
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What is wrong with the request and what is allowed, for the caller.
    public var message: String

    /// An error of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
