public import Foundation
public import struct Providers.PostmarkHeader

/// An email the Postmark sandbox accepted, as it was sent (Postmark's field names in comments).
public struct SandboxEmail: Sendable, Hashable {
    /// `From`, as sent (may include a display name).
    public var from: String
    /// `To`, as sent (comma-separated list, may include display names).
    public var to: String
    /// `Cc`, as sent.
    public var cc: String?
    /// `Bcc`, as sent.
    public var bcc: String?
    /// `Subject`.
    public var subject: String
    /// `HtmlBody`.
    public var htmlBody: String?
    /// `TextBody`.
    public var textBody: String?
    /// `ReplyTo`.
    public var replyTo: String?
    /// `Headers`, in the order sent.
    public var headers: [PostmarkHeader]
    /// `Tag`.
    public var tag: String?
    /// `Metadata` (non-string JSON values are kept as their JSON text).
    public var metadata: [String: String]
    /// `MessageStream`; `nil` when not sent (Postmark then uses "outbound").
    public var messageStream: String?
    /// `TrackOpens`.
    public var trackOpens: Bool?
    /// `TrackLinks` (`None`, `HtmlAndText`, `HtmlOnly`, `TextOnly`).
    public var trackLinks: String?
    /// The `MessageID` the sandbox answered with (a lowercase UUID).
    public var messageID: String
    /// When the sandbox accepted it (the `SubmittedAt` it answered with).
    public var submittedAt: Date
    /// True when it arrived through `POST /email/batch`.
    public var viaBatch: Bool

    /// The bare addresses of `To` (display names removed), in order.
    public var toAddresses: [String] { (try? EmailAddressList.parse(to).map(\.address)) ?? [] }

    /// The value of the first header with this name (case-insensitive), e.g. `header("Message-ID")`.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
