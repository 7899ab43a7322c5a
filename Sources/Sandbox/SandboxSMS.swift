public import Foundation

/// An SMS the Twilio sandbox accepted (Twilio's form field names in comments).
public struct SandboxSMS: Sendable, Hashable {
    /// The `sid` the sandbox answered with: `SM` + 32 hex digits.
    public var sid: String
    /// The Account SID of the request path.
    public var accountSID: String
    /// `To` (E.164).
    public var to: String
    /// `From`, when sent.
    public var from: String?
    /// `MessagingServiceSid`, when sent.
    public var messagingServiceSID: String?
    /// `Body`.
    public var body: String
    /// `StatusCallback`, when sent: where Twilio would post status changes.
    public var statusCallback: String?
    /// When the sandbox accepted it (`date_created`).
    public var dateCreated: Date
    /// Every form parameter as received (first value of repeated names).
    public var parameters: [String: String]
}
