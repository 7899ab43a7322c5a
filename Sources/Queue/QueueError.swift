/// An error of the job queue.
public struct QueueError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case invalidJob, unknownKind, timedOut, notFound, shutdown }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The job request is malformed (bad priority, empty kind …).
        public static let invalidJob = Code(.invalidJob)
        /// No handler is registered for the job's kind.
        public static let unknownKind = Code(.unknownKind)
        /// The handler ran longer than its timeout.
        public static let timedOut = Code(.timedOut)
        /// No such job.
        public static let notFound = Code(.notFound)
        /// The worker is shutting down.
        public static let shutdown = Code(.shutdown)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
