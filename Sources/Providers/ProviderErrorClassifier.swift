import Mail
/// The one place that decides whether a Postmark or Twilio failure is retried, fails the job at
/// once, or suppresses the address.
///
/// Postmark (HTTP status + JSON `ErrorCode`, https://postmarkapp.com/developer/api/overview#error-codes):
///
/// | input | outcome |
/// |---|---|
/// | HTTP 200 with `ErrorCode` 0 (or absent) | success |
/// | HTTP 429, `ErrorCode` 429 (rate limit), HTTP 5xx, `ErrorCode` 100 (maintenance), HTTP 408 | retryable |
/// | timeout, connection failure | retryable |
/// | HTTP 401 / `ErrorCode` 10 (bad or missing API token) | retryable + operator alert |
/// | `ErrorCode` 400, 401 (sender signature missing/unconfirmed), 405 (not allowed to send), 412 (account pending), 413 (account may not send) | retryable + operator alert |
/// | `ErrorCode` 406 (inactive recipient: bounced, complained or unsubscribed) | permanent, suppress |
/// | `ErrorCode` 300 (invalid email request), 402, 403, 409 (bad JSON), 410 (batch too big), 411 (forbidden attachment), other 4xx | permanent |
///
/// **Why a bad token is retryable, with an alert, and not permanent:** it is an operator mistake
/// that affects every job at once. Failing them permanently would drop all mail until someone
/// re-queues it by hand; retrying with backoff keeps the jobs until the token is fixed (or until
/// `max_attempts`, after which they land in the dead-letter state with the reason), and the alert
/// makes the mistake visible right away. The same holds for sender-signature and account problems.
///
/// Twilio (HTTP status + JSON `code`, https://www.twilio.com/docs/api/errors):
///
/// | input | outcome |
/// |---|---|
/// | HTTP 2xx | success |
/// | HTTP 429, code 20429 (too many requests), HTTP 5xx, HTTP 408, timeouts, connection failures | retryable |
/// | HTTP 401 / code 20003 (authentication), 21606 / 21659 / 21212 (our From number) | retryable + operator alert |
/// | 21211 (invalid To number), 21610 (recipient replied STOP), 21614 (To is not a mobile number) | permanent, suppress |
/// | 21408 (region not enabled), 21612 (not reachable via SMS), 21617 (body too long), other 4xx | permanent |
public enum ProviderErrorClassifier {
    // MARK: Postmark

    /// Classifies a Postmark response (`/email`, or one element of an `/email/batch` response with
    /// `httpStatus` 200).
    public static func classifyPostmark(httpStatus: Int, errorCode: Int?, message: String? = nil) -> ProviderOutcome {
        let detail = Self.detail(message)
        if let errorCode, errorCode != 0 {
            switch errorCode {
            case 429, 100:
                return .retryable(reason: "Postmark ErrorCode \(errorCode) (rate limit or maintenance)\(detail)", alertOperator: false)
            case 10:
                return .retryable(reason: "Postmark ErrorCode 10: bad or missing server API token\(detail)", alertOperator: true)
            case 400, 401, 405, 412, 413:
                return .retryable(reason: "Postmark ErrorCode \(errorCode): sender or account configuration\(detail)", alertOperator: true)
            case 406:
                return .permanent(reason: "Postmark ErrorCode 406: inactive recipient\(detail)", suppressAddress: true)
            default:
                if (500...599).contains(httpStatus) {
                    return .retryable(reason: "Postmark HTTP \(httpStatus), ErrorCode \(errorCode)\(detail)", alertOperator: false)
                }
                return .permanent(reason: "Postmark ErrorCode \(errorCode)\(detail)", suppressAddress: false)
            }
        }
        if (200...299).contains(httpStatus) { return .success }
        return Self.classify(httpStatus: httpStatus, provider: "Postmark", unauthorized: "bad or missing server API token", detail: detail)
    }

    /// Classifies one element of a Postmark batch response.
    public static func classifyPostmark(_ response: PostmarkSendResponse) -> ProviderOutcome {
        Self.classifyPostmark(httpStatus: 200, errorCode: response.errorCode, message: response.message)
    }

    /// Classifies a Postmark call that got no HTTP response.
    public static func classifyPostmark(transport failure: TransportFailure) -> ProviderOutcome {
        Self.transport(failure, provider: "Postmark")
    }

    // MARK: Twilio

    /// Classifies a Twilio Messages API response (`code` from ``TwilioErrorResponse``, if any).
    public static func classifyTwilio(httpStatus: Int, errorCode: Int?, message: String? = nil) -> ProviderOutcome {
        let detail = Self.detail(message)
        if (200...299).contains(httpStatus) { return .success }
        switch errorCode {
        case 20429?:
            return .retryable(reason: "Twilio 20429: too many requests\(detail)", alertOperator: false)
        case 20003?:
            return .retryable(reason: "Twilio 20003: authentication failed (account SID / auth token)\(detail)", alertOperator: true)
        case 21606?, 21659?, 21212?:
            return .retryable(reason: "Twilio \(errorCode ?? 0): the From number is not usable\(detail)", alertOperator: true)
        case 21211?:
            return .permanent(reason: "Twilio 21211: invalid To phone number\(detail)", suppressAddress: true)
        case 21610?:
            return .permanent(reason: "Twilio 21610: the recipient unsubscribed (STOP)\(detail)", suppressAddress: true)
        case 21614?:
            return .permanent(reason: "Twilio 21614: To is not a valid mobile number\(detail)", suppressAddress: true)
        default:
            break
        }
        let code = errorCode.map { ", code \($0)" } ?? ""
        return Self.classify(httpStatus: httpStatus, provider: "Twilio", unauthorized: "authentication failed", detail: code + detail)
    }

    /// Classifies a Twilio call that got no HTTP response.
    public static func classifyTwilio(transport failure: TransportFailure) -> ProviderOutcome {
        Self.transport(failure, provider: "Twilio")
    }

    // MARK: Helpers

    /// A non-2xx HTTP status that no provider error code decided, the same for both providers:
    /// 401 (our credentials) is retried with an operator alert, 408, 429 and 5xx are retried, other
    /// 4xx fail the job, anything else is unexpected (retried, alert). `unauthorized` says what a
    /// 401 means for the provider; `detail` ends every reason.
    private static func classify(httpStatus: Int, provider: String, unauthorized: String, detail: String) -> ProviderOutcome {
        switch httpStatus {
        case 401:
            return .retryable(reason: "\(provider) HTTP 401: \(unauthorized)\(detail)", alertOperator: true)
        case 408, 429, 500...599:
            return .retryable(reason: "\(provider) HTTP \(httpStatus)\(detail)", alertOperator: false)
        case 400...499:
            return .permanent(reason: "\(provider) HTTP \(httpStatus)\(detail)", suppressAddress: false)
        default:
            return .retryable(reason: "\(provider) answered with unexpected HTTP \(httpStatus)\(detail)", alertOperator: true)
        }
    }

    private static func transport(_ failure: TransportFailure, provider: String) -> ProviderOutcome {
        switch failure {
        case .timeout: .retryable(reason: "\(provider) request timed out", alertOperator: false)
        case .connectionFailed: .retryable(reason: "\(provider) connection failed", alertOperator: false)
        case .other(let description): .retryable(reason: "\(provider) transport error: \(HeaderSanitizer.sanitize(description))", alertOperator: false)
        }
    }

    private static func detail(_ message: String?) -> String {
        guard let message else { return "" }
        let clean = HeaderSanitizer.sanitize(message)
        return clean.isEmpty ? "" : ": \(clean.prefix(300))"
    }
}
