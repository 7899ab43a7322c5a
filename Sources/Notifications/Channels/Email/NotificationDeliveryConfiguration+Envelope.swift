import Foundation
import Mail

extension NotificationDeliveryConfiguration {
    /// The envelope of a notification's or a digest's email (`kind`), sent as `id` to `address`:
    /// the tenant's sender (else Herald's default), the rendered subject and bodies, the tenant's
    /// signature when it is a valid one, and the Message-ID of `id` and `address` in
    /// ``messageIDDomain``, the same on every attempt.
    /// - Throws: `DeliveryError` when the sender or `address` is unusable.
    func envelope(
        _ kind: EmailEnvelope.Kind, id: UUID, to address: String, rendered: RenderedNotification,
        fromEmail: String?, fromName: String?, signature: String?, tag: String, metadata: [String: String]
    ) throws -> EmailEnvelope {
        EmailEnvelope(
            kind: kind,
            from: try sender(email: fromEmail, name: fromName),
            to: try EmailAddress(address), subject: rendered.subject, htmlBody: rendered.htmlBody, textBody: rendered.textBody,
            signature: signature.flatMap { try? EmailSignature($0) },
            messageID: try MessageID.generate(messageID: id, recipientEmail: address, domain: messageIDDomain),
            tag: tag, metadata: metadata)
    }
}
