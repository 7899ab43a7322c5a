/// An error from the Delivery stores that is not the database's own: input refused before any
/// statement runs, or a recorder that cannot take an event.
///
/// Database failures (including CHECK violations, which name their constraint) surface as
/// `PostgresError` unchanged.
public struct DeliveryStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case signatureTooLong, invalidText, invalidEmail, recorderOverloaded, recorderShutDown, recorderAlreadyRunning, notFound, notReleasable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An email signature over `CommunicationSettings.maximumSignatureLength` characters.
        public static let signatureTooLong = Code(.signatureTooLong)
        /// Text PostgreSQL cannot store as given (a NUL character), refused rather than cut.
        public static let invalidText = Code(.invalidText)
        /// Not an email address.
        public static let invalidEmail = Code(.invalidEmail)
        /// The `TrackingEventRecorder` queue is full; the event was not taken.
        public static let recorderOverloaded = Code(.recorderOverloaded)
        /// The `TrackingEventRecorder` is shutting down or stopped; the event was not taken.
        public static let recorderShutDown = Code(.recorderShutDown)
        /// `TrackingEventRecorder.run()` was called while it was already running.
        public static let recorderAlreadyRunning = Code(.recorderAlreadyRunning)
        /// The row named does not exist.
        public static let notFound = Code(.notFound)
        /// An inbound email that `InboundReplyService.release(inboundId:)` may not thread.
        public static let notReleasable = Code(.notReleasable)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence for the user or operator, naming the field and the limit.
    public var message: String

    /// An error of kind `code` with a message for the user or operator.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "DeliveryStoreError(\(code)): \(message)" }
}
