import Foundation

extension JobOutcome {
    /// What the queue records when attempt number `attempt` of job `id` ended at `now` with
    /// `result`: the one rule, used by the worker and by ``JobQueue/enqueueAttempted(_:attemptedBy:on:)``.
    ///
    /// The Swift half of the settle rules: which action, the error text, and when the job runs
    /// next (a retry after `backoff`'s delay for this attempt unless the handler named a time; a
    /// snooze after its delay). The SQL half, in `QueueSQL.settle`, turns a retry of the last
    /// attempt into `failed`, appends the error history entry and sets `finished_at`.
    static func settling(_ result: JobResult, id: Int64, attempt: Int, backoff: Backoff, now: Date = Date()) -> JobOutcome {
        switch result {
        case .completed:
            return JobOutcome(id: id, action: .complete)
        case .retry(let reason, let at):
            return JobOutcome(id: id, action: .retry, error: reason,
                              runAt: at ?? now.addingTimeInterval(backoff.delay(afterAttempt: attempt).seconds))
        case .fail(let reason):
            return JobOutcome(id: id, action: .fail, error: reason)
        case .snooze(let delay):
            return JobOutcome(id: id, action: .snooze, runAt: now.addingTimeInterval(delay.seconds))
        case .cancel(let reason):
            return JobOutcome(id: id, action: .cancel, error: "cancelled by handler: \(reason)")
        }
    }
}

extension JobResult {
    /// The result a handler's thrown error stands for: `PermanentJobError`, and errors that
    /// classify themselves as permanent, fail the job at once; anything else is retried.
    init(thrown error: any Error) {
        switch error {
        case let error as PermanentJobError:
            self = .fail(reason: error.message)
        case let error as any JobErrorClassifying where error.isPermanent:
            self = .fail(reason: String(describing: error))
        default:
            self = .retry(reason: String(describing: error))
        }
    }
}
