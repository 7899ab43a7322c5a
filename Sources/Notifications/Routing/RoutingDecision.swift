public import Providers
/// Where one notification goes: by email (now, in a digest, or not at all) and/or by SMS.
public struct RoutingDecision: Sendable, Hashable {
    /// How the notification reaches the user by email.
    public enum Email: Sendable, Hashable {
        /// Send an email now.
        case immediate
        /// Add the notification to the user's digest of this frequency (never `.never`).
        case digest(DigestFrequency)
        /// No email at all.
        case none
    }

    /// The email route.
    public var email: Email
    /// `true` when an SMS must be sent as well.
    public var sms: Bool
    /// The normalised number to text; non-nil exactly when `sms` is `true`.
    public var smsNumber: PhoneNumber?
    /// Why this decision was taken, for logs and the admin page.
    public var reason: String

    /// Creates a decision. Prefer ``RoutingPolicy/route(priority:digestFrequency:smsEnabled:phone:)``.
    public init(email: Email, sms: Bool, smsNumber: PhoneNumber?, reason: String) {
        self.email = email
        self.sms = sms
        self.smsNumber = smsNumber
        self.reason = reason
    }
}
