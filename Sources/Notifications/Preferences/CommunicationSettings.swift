public import Foundation
import Mail

/// A tenant's communication settings (one row of `communication_settings`).
public struct CommunicationSettings: Sendable, Hashable {
    /// The longest `email_signature`, in characters as PostgreSQL's `char_length` counts them
    /// (Unicode scalars): 2,000.
    public static let maximumSignatureLength = EmailSignature.maximumLength

    public var tenantId: UUID
    /// When false, no email goes to external recipients and threads enqueue no fan-out.
    public var emailIntegrationEnabled: Bool
    /// Domain of the reply addresses `reply+<token>@<emailReplyDomain>`.
    public var emailReplyDomain: String?
    /// Plain text appended to every outbound email of the tenant.
    public var emailSignature: String?
    public var fromEmail: String?
    public var fromName: String?
    public var updatedAt: Date

    /// Settings with these values; unset ones are the table's defaults.
    public init(
        tenantId: UUID, emailIntegrationEnabled: Bool = false, emailReplyDomain: String? = nil, emailSignature: String? = nil,
        fromEmail: String? = nil, fromName: String? = nil, updatedAt: Date = Date()
    ) {
        self.tenantId = tenantId
        self.emailIntegrationEnabled = emailIntegrationEnabled
        self.emailReplyDomain = emailReplyDomain
        self.emailSignature = emailSignature
        self.fromEmail = fromEmail
        self.fromName = fromName
        self.updatedAt = updatedAt
    }

    /// The settings a tenant without a row has: integration off, nothing else set.
    public static func defaults(tenantId: UUID) -> CommunicationSettings {
        CommunicationSettings(tenantId: tenantId)
    }

    /// Refuses a signature PostgreSQL would refuse or alter, with a message naming the limit:
    /// over `maximumSignatureLength` characters (`.signatureTooLong`, by ``EmailSignature``'s
    /// rule), or holding a NUL character (`.invalidText`). Never shortens it.
    public static func validateSignature(_ signature: String) throws {
        _ = try EmailSignature(signature)
        guard !signature.unicodeScalars.contains("\u{0}") else {
            throw DeliveryError(code: .invalidText, message: "email_signature contains a NUL character, which cannot be stored")
        }
    }
}
