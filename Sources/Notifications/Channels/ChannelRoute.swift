public import Queue

/// What one channel decided for one notification: the part of `notifications.route` it adds (if
/// any), the job to enqueue now (if any), and the `skip_reason` codes that explain what it did not do.
public struct ChannelRoute: Sendable {
    /// This channel's part of `notifications.route` (`email`, `digest:weekly`, `sms`), or nil when
    /// the notification does not go this way.
    public var route: String?
    /// The job that delivers it now, or nil (a digest picks it up later, or nothing is sent).
    public var job: JobRequest?
    /// Machine-readable reasons for what was not done (`no_email`, `invalid_phone`, …).
    public var skipReasons: [String]
    /// Why, in words, for logs and tests.
    public var explanation: String

    public init(route: String? = nil, job: JobRequest? = nil, skipReasons: [String] = [], explanation: String) {
        self.route = route
        self.job = job
        self.skipReasons = skipReasons
        self.explanation = explanation
    }

    /// Not this channel's business (e.g. SMS for a low-priority notification), with the reason why.
    public static func notApplicable(_ explanation: String) -> ChannelRoute {
        ChannelRoute(explanation: explanation)
    }

    /// Skipped with `reason` in `skip_reason`.
    public static func skipped(_ reason: String, _ explanation: String) -> ChannelRoute {
        ChannelRoute(skipReasons: [reason], explanation: explanation)
    }
}
