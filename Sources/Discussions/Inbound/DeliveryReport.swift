public import Mail
import Providers
/// What a delivery status notification (RFC 3464, or the free-text reports of older servers)
/// says about the email that failed: its Message-ID, the recipients, and how permanent it is.
/// Pure text reading; ``InboundReplyService`` matches the result against
/// `discussion_email_tracking`.
public struct DeliveryReport: Sendable, Hashable {
    /// Every `<…@…>` Message-ID named in the report or in the returned headers, in order.
    public var messageIDs: [String]
    /// `Final-Recipient` / `Original-Recipient` / `X-Failed-Recipients` addresses, lowercased.
    public var recipients: [String]
    /// The RFC 3463 status (`5.1.1`), when given.
    public var status: String?
    /// `failed`, `delayed`, `delivered` …, when given.
    public var action: String?
    /// The `Diagnostic-Code`, when given.
    public var diagnostic: String?

    /// `hard` for a permanent failure (status 5.x.x or action `failed`), else `soft`.
    public var bounceType: DiscussionEmailTracking.BounceType {
        if let status, status.hasPrefix("5") { return .hard }
        if let status, status.hasPrefix("4") { return .soft }
        if action == "failed" { return .hard }
        return .soft
    }

    /// A one-line reason for `bounce_reason`.
    public var reason: String {
        var parts = ["delivery failure reported by email"]
        if let status { parts.append("status \(status)") }
        if let diagnostic { parts.append(String(diagnostic.prefix(500))) }
        return parts.joined(separator: " — ")
    }

    /// Reads the report from the texts of the email (body, `message/delivery-status` and returned
    /// header parts). `extraRecipients` are the values of `X-Failed-Recipients`.
    public init(texts: [String], extraRecipients: [String] = []) {
        var ids: [String] = []
        var recipients: [String] = []
        var status: String?
        var action: String?
        var diagnostic: String?
        for address in extraRecipients.flatMap({ $0.split(separator: ",") }) {
            let value = String(address).trimmingWhitespace().lowercased()
            if EmailAddress.isValid(value), !recipients.contains(value) { recipients.append(value) }
        }
        for text in texts {
            for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                let line = String(rawLine).trimmingWhitespace()
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
                switch name {
                case "final-recipient", "original-recipient":
                    // "rfc822; someone@example.com"
                    let address = (value.split(separator: ";", maxSplits: 1).last.map(String.init) ?? value).trimmingWhitespace().lowercased()
                    let bare = address.hasPrefix("<") && address.hasSuffix(">") ? String(address.dropFirst().dropLast()) : address
                    if EmailAddress.isValid(bare), !recipients.contains(bare) { recipients.append(bare) }
                case "status":
                    if status == nil, let code = value.split(separator: " ").first, code.first.map({ "245".contains($0) }) == true,
                        code.split(separator: ".").count == 3
                    {
                        status = String(code)
                    }
                case "action":
                    if action == nil { action = value.lowercased() }
                case "diagnostic-code":
                    if diagnostic == nil { diagnostic = value }
                case "message-id", "in-reply-to", "references", "x-original-message-id":
                    for id in PostmarkInboundPayload.messageIDs(in: value).map(\.value) where !ids.contains(id) { ids.append(id) }
                default:
                    break
                }
            }
        }
        self.messageIDs = ids
        self.recipients = recipients
        self.status = status
        self.action = action
        self.diagnostic = diagnostic
    }
}
