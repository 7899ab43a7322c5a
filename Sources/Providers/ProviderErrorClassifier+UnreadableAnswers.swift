import Mail
extension ProviderErrorClassifier {
    /// Classifies a provider answer that cannot be used: a success status whose body is not the
    /// provider's JSON (or a batch answer whose length does not match the batch).
    ///
    /// Retryable, with an operator alert: it usually means the API URL points at something that is
    /// not the provider (a proxy or web page answering 200), which retrying alone will not fix.
    /// The message may have been accepted, so a retry can send it twice; that beats losing it.
    public static func classifyUnreadableAnswer(provider: String, httpStatus: Int, problem: String) -> ProviderOutcome {
        .retryable(
            reason: "\(provider) answered HTTP \(httpStatus) with \(HeaderSanitizer.sanitize(problem)); check the \(provider) API URL",
            alertOperator: true)
    }
}
