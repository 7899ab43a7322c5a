import Queue

/// What one attempt at sending a notification's email came to, before anything about it is written.
struct EmailAttempt: Sendable {
    /// The job outcome of the attempt (`.completed` when Postmark accepted the email).
    var result: JobResult
    /// Why the email did not go, for the notification's `skip_reason`: `no_email`, `suppressed`
    /// or `email_refused`; nil otherwise.
    var skipReason: String? = nil
    /// Whether Postmark accepted the email.
    var accepted = false
    /// Postmark's `MessageID` of the accepted email.
    var providerMessageID: String? = nil
}
