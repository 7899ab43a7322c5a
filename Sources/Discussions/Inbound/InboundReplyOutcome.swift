public import Foundation
public import Mail

/// What became of one inbound reply webhook.
public enum InboundReplyOutcome: Sendable, Hashable {
    /// It became message `messageId` in thread `threadId`; `duplicate` when this webhook had
    /// already been received (a retry), and nothing new was created.
    case threaded(threadId: UUID, messageId: UUID?, duplicate: Bool)
    /// No thread matched; kept in `inbound_emails` (status `unmatched`, reason `no_thread`) as `inboundId`.
    case unmatched(inboundId: UUID, duplicate: Bool)
    /// Not threaded for `reason`; kept in `inbound_emails` (status `rejected`) as `inboundId`, with
    /// the thread it claimed (`threadId`, nil when none was found).
    case rejected(inboundId: UUID, reason: Reason, threadId: UUID?, duplicate: Bool)
    /// Automatic email (an out-of-office reply or a delivery report), kept in `inbound_emails`
    /// with status and reason `auto_reply` or `bounce` and the `signal` that gave it away; never
    /// threaded, never relayed, not releasable. `bouncesRecorded`: tracking rows marked bounced.
    case automatic(inboundId: UUID, kind: AutomaticEmail.Kind, signal: String, bouncesRecorded: Int, duplicate: Bool)
    /// Stored, but processing failed with `error` (status `failed`, reason `processing_error`);
    /// `herald inbound reprocess ID` (or a retried webhook) processes it again.
    case failed(inboundId: UUID, error: String, duplicate: Bool)

    /// Why a reply was not threaded: the `inbound_emails.reason` code.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The code stored in `inbound_emails.reason`, e.g. `sender_mismatch`.
        public let rawValue: String

        /// A reason from its stored code (any code: rows written by other tools keep theirs).
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No thread matched the mailbox hash or the referenced Message-IDs.
        public static let noThread = Reason(rawValue: "no_thread")
        /// The thread's tenant has `email_integration_enabled` off.
        public static let integrationOff = Reason(rawValue: "integration_off")
        /// The sender address is missing or not an email address.
        public static let invalidSender = Reason(rawValue: "invalid_sender")
        /// Nothing is left once the quoted history is removed.
        public static let emptyReply = Reason(rawValue: "empty_reply")
        /// The sender is not the participant the reply address was issued to (or, for a reply
        /// found by Message-ID only, not a participant of the thread). Releasable by an operator.
        public static let senderMismatch = Reason(rawValue: "sender_mismatch")
        /// The provider's spam verdict (`X-Spam-Status: Yes`). Releasable by an operator.
        public static let spam = Reason(rawValue: "spam")
        /// An automatic reply (out of office …). Never releasable.
        public static let autoReply = Reason(rawValue: "auto_reply")
        /// A delivery status notification. Never releasable.
        public static let bounce = Reason(rawValue: "bounce")
        /// Processing failed; the error is kept. Reprocess, do not release.
        public static let processingError = Reason(rawValue: "processing_error")

        /// True for the reasons an operator may override with
        /// ``InboundReplyService/release(inboundId:)``: the reply was complete, only its sender or
        /// spam verdict stopped it.
        public var isReleasable: Bool { self == .senderMismatch || self == .spam }

        /// One sentence for operators (stored as `inbound_emails.error`); never an address.
        public var explanation: String {
            switch self {
            case .noThread: "no thread matches the reply address or the referenced Message-IDs"
            // The next three are the texts stored before reasons existed (sql/018 maps them back).
            case .integrationOff: "email integration is off for this tenant"
            case .invalidSender: "the sender address is not valid"
            case .emptyReply: "the reply is empty once the quoted text is removed"
            case .senderMismatch: "the sender is not the participant this reply address belongs to"
            case .spam: "the provider marked the message as spam (X-Spam-Status: Yes)"
            case .autoReply: "an automatic reply (out of office or similar): kept, never threaded or relayed"
            case .bounce: "a delivery status notification (bounce): kept, never threaded or relayed"
            case .processingError: "processing failed; the email is kept for herald inbound reprocess"
            default: rawValue
            }
        }

        public var description: String { rawValue }
    }

    /// `threaded`, `unmatched`, `rejected`, `auto_reply`, `bounce` or `failed`.
    public var status: String {
        switch self {
        case .threaded: "threaded"
        case .unmatched: "unmatched"
        case .rejected: "rejected"
        case .automatic(_, let kind, _, _, _): kind.rawValue
        case .failed: "failed"
        }
    }

    /// The `inbound_emails` row, when the outcome names one (not for threaded).
    public var inboundId: UUID? {
        switch self {
        case .threaded: nil
        case .unmatched(let id, _), .rejected(let id, _, _, _), .automatic(let id, _, _, _, _), .failed(let id, _, _): id
        }
    }
}
