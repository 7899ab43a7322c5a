import Providers
/// Decides how a notification is delivered, from its priority and the user's preferences.
///
/// The rules (MISSION.md "Digest" and "Delivery"):
/// - `urgent` / `high`: email immediately, whatever the digest frequency (even `never`); SMS as
///   well when the user has SMS enabled **and** a valid E.164 phone number.
/// - `normal` / `low`: into the digest of the user's frequency, or no email under `never`;
///   never an SMS (cost control).
///
/// Pure: no I/O, the same input always gives the same decision.
public struct RoutingPolicy: Sendable {
    /// Creates the policy.
    public init() {}

    /// Routes one notification.
    /// - Parameters:
    ///   - priority: the notification's priority.
    ///   - digestFrequency: the user's digest setting.
    ///   - smsEnabled: whether the user switched SMS notifications on.
    ///   - phone: the user's phone number as stored, if any; whitespace is forgiven.
    public func route(
        priority: NotificationPriority,
        digestFrequency: DigestFrequency,
        smsEnabled: Bool,
        phone: String?
    ) -> RoutingDecision {
        guard priority.isImmediate else {
            switch digestFrequency {
            case .never:
                return RoutingDecision(
                    email: .none,
                    sms: false,
                    smsNumber: nil,
                    reason: "\(priority.rawValue) priority; digest frequency is never, so no email; no SMS below high priority"
                )
            case .daily, .weekly, .monthly:
                return RoutingDecision(
                    email: .digest(digestFrequency),
                    sms: false,
                    smsNumber: nil,
                    reason: "\(priority.rawValue) priority goes to the \(digestFrequency.rawValue) digest; no SMS below high priority"
                )
            }
        }

        let emailReason = "\(priority.rawValue) priority is emailed immediately (digest setting \(digestFrequency.rawValue) does not apply)"
        guard smsEnabled else {
            return RoutingDecision(email: .immediate, sms: false, smsNumber: nil, reason: emailReason + "; SMS disabled by the user")
        }
        guard let phone else {
            return RoutingDecision(email: .immediate, sms: false, smsNumber: nil, reason: emailReason + "; no SMS: no phone number")
        }
        guard let number = PhoneNumber(phone) else {
            return RoutingDecision(
                email: .immediate,
                sms: false,
                smsNumber: nil,
                reason: emailReason + "; no SMS: phone number is not valid E.164"
            )
        }
        return RoutingDecision(email: .immediate, sms: true, smsNumber: number, reason: emailReason + "; SMS to a valid E.164 number")
    }
}
