import Foundation
import Logging
import Postgres

/// What the runners share: the pool, the handlers, the completer, and how to run one job.
final class JobWorkerCore: Sendable {
    let pool: PostgresPool
    let registry: JobHandlerRegistry
    let configuration: WorkerConfiguration
    let logger: Logger
    let metrics = QueueMetrics()
    let completer: Completer
    let inFlight = InFlightJobs()
    /// Claimed and not yet settled: what the heartbeat renews.
    let held = HeldJobs()

    init(pool: PostgresPool, registry: JobHandlerRegistry, configuration: WorkerConfiguration, logger: Logger) {
        self.pool = pool
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        self.completer = Completer(
            pool: pool, workerID: configuration.workerID, flushInterval: configuration.completionFlushInterval, held: held,
            logger: logger)
    }

    /// Runs one attempt and hands its outcome to the completer. Never throws: every error becomes
    /// an outcome, so one bad job cannot stop the worker.
    func execute(_ job: Job) async {
        guard let handler = registry.handler(for: job.kind) else {
            let known = registry.kinds.joined(separator: ", ")
            logger.error("no handler for job kind", metadata: ["job.id": "\(job.id)", "job.kind": "\(job.kind)"])
            metrics.failed(job.kind)
            completer.add(JobOutcome(
                id: job.id, action: .fail, error: "unknown job kind '\(job.kind)': this worker handles \(known.isEmpty ? "no kinds" : known)"))
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = handler.timeout ?? configuration.jobTimeout
        let (result, cancelled) = await inFlight.run(id: job.id, timeout: timeout) { @Sendable () -> Result<JobResult, any Error> in
            do { return .success(try await handler.handle(job)) } catch { return .failure(error) }
        }
        metrics.ran(job.kind, for: clock.now - start)
        completer.add(outcome(for: job, result: result, cancelled: cancelled, timeout: timeout))
    }

    private func outcome(for job: Job, result: Result<JobResult, any Error>, cancelled: InFlightJobs.Reason?, timeout: Duration) -> JobOutcome {
        switch cancelled {
        case .shutdown:
            return JobOutcome(id: job.id, action: .release)
        case .timeout:
            return retry(job, reason: "timed out after \(timeout)", at: nil)
        case nil:
            break
        }
        switch result {
        case .success(.completed):
            metrics.completed(job.kind)
            return JobOutcome(id: job.id, action: .complete)
        case .success(.retry(let reason, let at)):
            return retry(job, reason: reason, at: at)
        case .success(.fail(let reason)):
            return fail(job, reason: reason)
        case .success(.snooze(let delay)):
            return JobOutcome(id: job.id, action: .snooze, runAt: Date().addingTimeInterval(delay.seconds))
        case .success(.cancel(let reason)):
            return JobOutcome(id: job.id, action: .cancel, error: "cancelled by handler: \(reason)")
        case .failure(let error as PermanentJobError):
            return fail(job, reason: error.message)
        case .failure(let error as any JobErrorClassifying) where error.isPermanent:
            return fail(job, reason: String(describing: error))
        case .failure(let error):
            return retry(job, reason: String(describing: error), at: nil)
        }
    }

    private func retry(_ job: Job, reason: String, at: Date?) -> JobOutcome {
        if job.isLastAttempt {
            metrics.failed(job.kind)
            logger.warning("job failed after its last attempt", metadata: [
                "job.id": "\(job.id)", "job.kind": "\(job.kind)", "job.attempt": "\(job.attempt)", "error": "\(reason)",
            ])
        } else {
            metrics.retried(job.kind)
            logger.info("job attempt failed; will retry", metadata: [
                "job.id": "\(job.id)", "job.kind": "\(job.kind)", "job.attempt": "\(job.attempt)", "error": "\(reason)",
            ])
        }
        let delay = configuration.backoff.delay(afterAttempt: job.attempt)
        return JobOutcome(id: job.id, action: .retry, error: reason, runAt: at ?? Date().addingTimeInterval(delay.seconds))
    }

    private func fail(_ job: Job, reason: String) -> JobOutcome {
        metrics.failed(job.kind)
        logger.warning("job failed permanently", metadata: ["job.id": "\(job.id)", "job.kind": "\(job.kind)", "error": "\(reason)"])
        return JobOutcome(id: job.id, action: .fail, error: reason)
    }
}
