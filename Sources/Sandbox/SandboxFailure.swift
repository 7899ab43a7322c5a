/// A failure the sandbox answers with instead of processing a request (see
/// ``SandboxProviders/failNext(_:endpoint:with:)``).
public enum SandboxFailure: Sendable, Hashable {
    /// Answer with this HTTP status and the provider's error body for it:
    /// Postmark `{"ErrorCode":…,"Message":…}` (429 → ErrorCode 429, 401 → 10, 422 → 300,
    /// any other status → ErrorCode equal to the status);
    /// Twilio `{"code":…,"message":…,"more_info":…,"status":…}` (401 → 20003, others → 20000 + status,
    /// so 429 → 20429, 500 → 20500, 503 → 20503).
    case status(Int)
}
