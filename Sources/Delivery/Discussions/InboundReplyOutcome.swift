public import Foundation

/// What became of one inbound reply webhook.
public enum InboundReplyOutcome: Sendable, Hashable {
    /// It became message `messageId` in thread `threadId`; `duplicate` when this webhook had
    /// already been received (a retry), and nothing new was created.
    case threaded(threadId: UUID, messageId: UUID?, duplicate: Bool)
    /// No thread matched; kept in `inbound_emails` (status `unmatched`) as `inboundId`.
    case unmatched(inboundId: UUID, duplicate: Bool)
    /// Refused for `reason` (integration off, empty body, invalid sender); kept as `inboundId`.
    case rejected(inboundId: UUID, reason: String, duplicate: Bool)

    /// `threaded`, `unmatched` or `rejected`.
    public var status: String {
        switch self {
        case .threaded: "threaded"
        case .unmatched: "unmatched"
        case .rejected: "rejected"
        }
    }
}
