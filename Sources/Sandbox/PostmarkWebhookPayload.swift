import Foundation

/// A JSON document Postmark POSTs to a webhook URL (Delivery, Bounce, SpamComplaint, Open, Click, Inbound).
/// Conforming types encode with Postmark's exact field names; dates are ISO 8601 UTC strings.
public protocol PostmarkWebhookPayload: Encodable, Sendable {}

extension PostmarkWebhookPayload {
    /// The JSON body as Postmark would send it (keys sorted, so equal payloads give equal bytes).
    public func jsonBody() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.iso8601(date))
        }
        return Array(try encoder.encode(self))
    }
}
