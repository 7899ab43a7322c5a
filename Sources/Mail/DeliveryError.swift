/// An error raised by Herald's delivery domain: invalid input (a signature that is too long, a
/// template that does not parse, an unknown time zone) or a token that fails verification.
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
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A tenant `email_signature` longer than ``EmailSignature/maximumLength``.
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
