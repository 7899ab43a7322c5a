/// Postmark's bounce types: `Type` (the raw value) and `TypeCode` of a Bounce record.
public enum PostmarkBounceType: String, Sendable, Hashable, CaseIterable, Codable {
    case hardBounce = "HardBounce"
    case transient = "Transient"
    case unsubscribe = "Unsubscribe"
    case subscribe = "Subscribe"
    case autoResponder = "AutoResponder"
    case addressChange = "AddressChange"
    case dnsError = "DnsError"
    case spamNotification = "SpamNotification"
    case openRelayTest = "OpenRelayTest"
    case unknown = "Unknown"
    case softBounce = "SoftBounce"
    case virusNotification = "VirusNotification"
    case challengeVerification = "ChallengeVerification"
    case badEmailAddress = "BadEmailAddress"
    case spamComplaint = "SpamComplaint"
    case manuallyDeactivated = "ManuallyDeactivated"
    case unconfirmed = "Unconfirmed"
    case blocked = "Blocked"
    case smtpAPIError = "SMTPApiError"
    case inboundError = "InboundError"
    case dmarcPolicy = "DMARCPolicy"
    case templateRenderingFailed = "TemplateRenderingFailed"

    /// Postmark's numeric `TypeCode`.
    public var typeCode: Int {
        switch self {
        case .hardBounce: 1
        case .transient: 2
        case .unsubscribe: 16
        case .subscribe: 32
        case .autoResponder: 64
        case .addressChange: 128
        case .dnsError: 256
        case .spamNotification: 512
        case .openRelayTest: 1024
        case .unknown: 2048
        case .softBounce: 4096
        case .virusNotification: 8192
        case .challengeVerification: 16384
        case .badEmailAddress: 100_000
        case .spamComplaint: 100_001
        case .manuallyDeactivated: 100_002
        case .unconfirmed: 100_003
        case .blocked: 100_006
        case .smtpAPIError: 100_007
        case .inboundError: 100_008
        case .dmarcPolicy: 100_009
        case .templateRenderingFailed: 100_010
        }
    }

    /// The human-readable `Name` Postmark sends with the type.
    public var displayName: String {
        switch self {
        case .hardBounce: "Hard bounce"
        case .transient: "Message delayed"
        case .unsubscribe: "Unsubscribe request"
        case .subscribe: "Subscribe request"
        case .autoResponder: "Auto responder"
        case .addressChange: "Address change"
        case .dnsError: "DNS error"
        case .spamNotification: "Spam notification"
        case .openRelayTest: "Open relay test"
        case .unknown: "Unknown"
        case .softBounce: "Soft bounce"
        case .virusNotification: "Virus notification"
        case .challengeVerification: "Spam challenge verification"
        case .badEmailAddress: "Invalid email address"
        case .spamComplaint: "Spam complaint"
        case .manuallyDeactivated: "Manually deactivated"
        case .unconfirmed: "Registration not confirmed"
        case .blocked: "ISP block"
        case .smtpAPIError: "SMTP API error"
        case .inboundError: "Processing failed"
        case .dmarcPolicy: "DMARC Policy"
        case .templateRenderingFailed: "Template rendering failed"
        }
    }

    /// A short explanation, sent as `Description`.
    public var summary: String {
        switch self {
        case .hardBounce: "The receiving server permanently refused the message (for example: unknown user, no such mailbox)."
        case .transient: "Delivery was delayed by a temporary problem; delivery is still being attempted."
        case .unsubscribe: "The recipient asked to be removed."
        case .subscribe: "The recipient asked to be added."
        case .autoResponder: "An automatic reply such as an out-of-office notice."
        case .addressChange: "The recipient announced a new address."
        case .dnsError: "A temporary DNS failure."
        case .spamNotification: "The receiving side blocked the message or classified it as spam."
        case .openRelayTest: "A test message probing for an open relay."
        case .unknown: "The bounce could not be classified."
        case .softBounce: "Temporarily undeliverable (for example: mailbox full, over quota)."
        case .virusNotification: "A notice about a virus-infected message."
        case .challengeVerification: "A challenge asking to confirm that the sender is real."
        case .badEmailAddress: "The address is not a valid email address."
        case .spamComplaint: "The recipient marked the message as spam."
        case .manuallyDeactivated: "The address was deactivated by hand."
        case .unconfirmed: "The recipient never confirmed the subscription."
        case .blocked: "The receiving ISP blocked the message (content or reputation)."
        case .smtpAPIError: "The message was refused while being accepted through SMTP."
        case .inboundError: "An inbound message could not be delivered to its webhook."
        case .dmarcPolicy: "Refused under the sending domain's DMARC policy."
        case .templateRenderingFailed: "The template could not be rendered."
        }
    }

    /// Whether Postmark deactivates the address on this bounce (later sends to it fail with ErrorCode 406).
    public var deactivatesRecipient: Bool {
        switch self {
        case .hardBounce, .badEmailAddress, .spamComplaint, .manuallyDeactivated: true
        default: false
        }
    }
}
