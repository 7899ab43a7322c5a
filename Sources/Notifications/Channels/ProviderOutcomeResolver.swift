public import Logging
import Mail
public import Providers
public import Queue

/// The one place where a provider outcome becomes a job outcome:
///
/// | ``ProviderOutcome`` | ``JobResult`` | side effect |
/// |---|---|---|
/// | `success` | `.completed` | — |
/// | `retryable` | `.retry` (exponential backoff with jitter) | logged as an error when an operator must act (bad token, sender) |
/// | `permanent` | `.fail(reason:)`, no further attempt | the email address is added to `email_suppressions` when the outcome says so (Postmark 406) |
///
/// Every handler of notification delivery (`email.send`, `sms.send`, `digest.build`) goes through
/// ``resolve(_:suppressing:channel:logger:)``, so the policy cannot drift between channels.
public struct ProviderOutcomeResolver: Sendable {
    /// Where suppressions go.
    public let suppressions: SuppressionList

    /// Creates a resolver writing suppressions to `suppressions`.
    public init(suppressions: SuppressionList) { self.suppressions = suppressions }

    /// The job result for `outcome`; suppresses `address` first when the outcome asks for it.
    /// - Parameters:
    ///   - address: the email address that was refused (nil for SMS: Twilio's STOP and invalid
    ///     numbers are recorded on the notification, not in the email suppression list).
    ///   - channel: `email` or `sms`, for the reason and the log.
    public func resolve(_ outcome: ProviderOutcome, suppressing address: String?, channel: String, logger: Logger) async throws -> JobResult {
        switch outcome {
        case .success:
            return .completed
        case .retryable(let reason, let alertOperator):
            if alertOperator {
                logger.error("provider refused the configuration; retrying until fixed", metadata: ["channel": "\(channel)", "reason": "\(reason)"])
            }
            return .retry(reason: reason)
        case .permanent(let reason, let suppress):
            if suppress, let address {
                try await suppressions.add(address, reason: reason, bounceType: .hard, source: "send_error")
            }
            return .fail(reason: reason)
        }
    }

    /// The same mapping without side effects, for tests and callers that handle suppression themselves.
    public static func jobResult(for outcome: ProviderOutcome) -> JobResult {
        switch outcome {
        case .success: .completed
        case .retryable(let reason, _): .retry(reason: reason)
        case .permanent(let reason, _): .fail(reason: reason)
        }
    }
}
