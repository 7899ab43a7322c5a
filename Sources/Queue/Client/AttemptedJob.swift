public import Foundation

/// A job whose first attempt ran outside a worker, and how that attempt ended; recorded by
/// ``JobQueue/enqueueAttempted(_:attemptedBy:on:)`` in the state a worker would have left it in.
public struct AttemptedJob: Sendable {
    /// The job, as it would have been enqueued.
    public let request: JobRequest
    /// How its first attempt ended.
    public let result: JobResult
    /// The outcome by the worker's rule, computed when the attempt ended.
    let outcome: JobOutcome

    /// - Parameters:
    ///   - backoff: the delay of a retry without a time of its own, as a worker's configuration
    ///     gives it (for attempt 1).
    ///   - endedAt: when the attempt ended; a retry's backoff and a snooze count from here, as in
    ///     the worker.
    public init(_ request: JobRequest, result: JobResult, backoff: Backoff, endedAt: Date = Date()) {
        self.request = request
        self.result = result
        self.outcome = JobOutcome.settling(result, id: 0, attempt: 1, backoff: backoff, now: endedAt)
    }
}
