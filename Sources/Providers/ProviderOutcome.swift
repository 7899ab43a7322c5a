/// What to do with a job after a provider call.
public enum ProviderOutcome: Sendable, Hashable {
    /// The provider accepted the message.
    case success
    /// Try again later with backoff. `alertOperator` is `true` when retrying alone will not help
    /// until someone fixes the configuration (bad API token, unconfirmed sender): log it as an
    /// error and count it in metrics, but keep the job so nothing is lost meanwhile.
    case retryable(reason: String, alertOperator: Bool)
    /// Fail the job at once, without retrying. `suppressAddress` is `true` when the recipient's
    /// address or number must not be used again (inactive recipient, invalid number, STOP).
    case permanent(reason: String, suppressAddress: Bool)

    /// `true` for ``retryable(reason:alertOperator:)``.
    public var isRetryable: Bool {
        if case .retryable = self { return true }
        return false
    }

    /// `true` for ``permanent(reason:suppressAddress:)``.
    public var isPermanent: Bool {
        if case .permanent = self { return true }
        return false
    }

    /// `true` when the recipient must be suppressed.
    public var suppressesAddress: Bool {
        if case .permanent(_, let suppress) = self { return suppress }
        return false
    }

    /// `true` when an operator must look at the configuration.
    public var alertsOperator: Bool {
        if case .retryable(_, let alert) = self { return alert }
        return false
    }

    /// The reason, or `nil` for success.
    public var reason: String? {
        switch self {
        case .success: nil
        case .retryable(let reason, _), .permanent(let reason, _): reason
        }
    }
}
