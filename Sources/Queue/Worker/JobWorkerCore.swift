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
            // A newer worker may know the kind (a rolling deploy), so this is a retry with backoff,
            // not a dead letter; only a kind no worker learns within max_attempts fails.
            logger.warning("no handler for job kind; will retry", metadata: [
                "job.id": "\(job.id)", "job.kind": "\(job.kind)", "job.attempt": "\(job.attempt)",
            ])
            completer.add(record(job, .retry(reason: Self.noHandler(for: job.kind, knownKinds: registry.kinds))))
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = handler.timeout ?? configuration.jobTimeout
        let (result, cancelled) = await inFlight.run(id: job.id, timeout: timeout) { @Sendable () -> Result<JobResult, any Error> in
            do { return .success(try await handler.handle(job)) } catch { return .failure(error) }
        }
        metrics.ran(job.kind, for: clock.now - start)
        switch cancelled {
        case .shutdown:
            completer.add(JobOutcome(id: job.id, action: .release))
        case .timeout:
            completer.add(record(job, .retry(reason: "timed out after \(timeout)")))
        case nil:
            switch result {
            case .success(let value): completer.add(record(job, value))
            case .failure(let error): completer.add(record(job, JobResult(thrown: error)))
            }
        }
    }

    /// The error of a job whose kind this worker has no handler for; lists at most eight kinds.
    static func noHandler(for kind: String, knownKinds: [String]) -> String {
        let shown = knownKinds.prefix(8).joined(separator: ", ")
        let more = knownKinds.count > 8 ? " and \(knownKinds.count - 8) more" : ""
        return "no handler for kind '\(kind)' in this worker (knows: \(knownKinds.isEmpty ? "nothing" : shown + more))"
    }

    /// The outcome of `result` by the queue's one rule (``JobOutcome/settling(_:id:attempt:backoff:now:)``),
    /// counted in the metrics and logged.
    private func record(_ job: Job, _ result: JobResult) -> JobOutcome {
        let outcome = JobOutcome.settling(result, id: job.id, attempt: job.attempt, backoff: configuration.backoff)
        switch outcome.action {
        case .complete:
            metrics.completed(job.kind)
        case .retry where job.isLastAttempt:
            metrics.failed(job.kind)
            logger.warning("job failed after its last attempt", metadata: [
                "job.id": "\(job.id)", "job.kind": "\(job.kind)", "job.attempt": "\(job.attempt)", "error": "\(outcome.error ?? "")",
            ])
        case .retry:
            metrics.retried(job.kind)
            logger.info("job attempt failed; will retry", metadata: [
                "job.id": "\(job.id)", "job.kind": "\(job.kind)", "job.attempt": "\(job.attempt)", "error": "\(outcome.error ?? "")",
            ])
        case .fail:
            metrics.failed(job.kind)
            logger.warning("job failed permanently", metadata: [
                "job.id": "\(job.id)", "job.kind": "\(job.kind)", "error": "\(outcome.error ?? "")",
            ])
        case .snooze, .cancel, .release:
            break
        }
        return outcome
    }
}
