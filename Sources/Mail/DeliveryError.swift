/// An error raised by Herald's delivery domain (mail, notifications, discussions) that is not the
/// database's own: invalid input refused before any statement runs (a signature that is too long,
/// a template that does not parse, an unknown time zone), a token that fails verification, a row
/// that does not exist or may not be acted on, or a recorder that cannot take an event.
///
/// Database failures (including CHECK violations, which name their constraint) surface as
/// `PostgresError` unchanged.
///
/// The `message` is meant for people (logs, CLI output, HTTP 4xx bodies) and never contains
/// secrets; the `code` is stable and meant for programs.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, comparable category of `DeliveryError`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case signatureTooLong
            case templateSyntax
            case templateNotFound
            case invalidTimeZone
            case invalidDigestHour
            case invalidToken
            case invalidLink
            case invalidSecret
            case invalidEmailAddress
            case invalidConfiguration
            case invalidText
            case recorderOverloaded
            case recorderShutDown
            case recorderAlreadyRunning
            case notFound
            case notReleasable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A tenant `email_signature` longer than ``EmailSignature/maximumLength`` Unicode scalars.
        public static let signatureTooLong = Code(.signatureTooLong)
        /// A notification template that Mustache cannot parse.
        public static let templateSyntax = Code(.templateSyntax)
        /// No template (neither the tenant override nor the default) exists for a key.
        public static let templateNotFound = Code(.templateNotFound)
        /// A time zone identifier that is not a known IANA zone.
        public static let invalidTimeZone = Code(.invalidTimeZone)
        /// A digest hour outside 0...23.
        public static let invalidDigestHour = Code(.invalidDigestHour)
        /// A click or reply token that is malformed, forged or altered.
        public static let invalidToken = Code(.invalidToken)
        /// A link that Herald will not track or redirect to (not http(s), control characters, too long).
        public static let invalidLink = Code(.invalidLink)
        /// A signing secret that is too short to be safe.
        public static let invalidSecret = Code(.invalidSecret)
        /// An email address or domain that cannot be used in a header.
        public static let invalidEmailAddress = Code(.invalidEmailAddress)
        /// A configuration value (public URL, Message-ID domain …) that cannot be used.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Text PostgreSQL cannot store as given (a NUL character), refused rather than cut.
        public static let invalidText = Code(.invalidText)
        /// The tracking event recorder's queue is full; the event was not taken.
        public static let recorderOverloaded = Code(.recorderOverloaded)
        /// The tracking event recorder is shutting down or stopped; the event was not taken.
        public static let recorderShutDown = Code(.recorderShutDown)
        /// The tracking event recorder's `run()` was called while it was already running.
        public static let recorderAlreadyRunning = Code(.recorderAlreadyRunning)
        /// The row named does not exist.
        public static let notFound = Code(.notFound)
        /// An inbound email that may not be threaded (released or reprocessed) as it stands.
        public static let notReleasable = Code(.notReleasable)

        public var description: String { self.base.rawValue }
    }

    /// What kind of error this is.
    public let code: Code
    /// A human-readable explanation, free of secrets.
    public let message: String

    /// Creates an error with a code and a human-readable message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "DeliveryError.\(self.code): \(self.message)" }
}
