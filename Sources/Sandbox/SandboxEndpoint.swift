/// One of the provider endpoints the sandbox serves; used for failure injection and counters.
public enum SandboxEndpoint: String, Sendable, Hashable, CaseIterable {
    /// Postmark `POST /email`.
    case email
    /// Postmark `POST /email/batch`.
    case batch
    /// Twilio `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
    case sms
}
