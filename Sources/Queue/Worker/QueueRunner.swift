import Foundation
import Logging
import Postgres
import Synchronization

/// Claims and runs the jobs of one queue with bounded concurrency.
///
/// It claims a batch as soon as enough slots are free, runs each job as a child task, and hands
/// outcomes to the completer. It sleeps until a NOTIFY, a freed slot or the poll interval.
final class QueueRunner: Sendable {
    let queue: String
    let concurrency: Int
    let wake = WakeSignal()
    private let worker: JobWorkerCore
    private let running = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Set when a claim failed: it may have committed without its answer reaching us.
    private let claimAnswerLost = Atomic<Bool>(false)
    /// Claim again once this many slots are free (half the window, at least one).
    private let refillThreshold: Int

    init(queue: String, concurrency: Int, worker: JobWorkerCore) {
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.worker = worker
        self.refillThreshold = max(1, min(worker.configuration.claimBatchSize, max(1, concurrency)) / 2)
    }

    /// Stop claiming; in-flight jobs continue.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
    }

    func run() async {
        let configuration = worker.configuration
        await withDiscardingTaskGroup { group in
            while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                if claimAnswerLost.load(ordering: .relaxed) { await releaseLostClaims() }
                let free = concurrency - running.load(ordering: .relaxed)
                var claimedFull = false
                if free >= min(refillThreshold, concurrency) || running.load(ordering: .relaxed) == 0 {
                    let limit = min(free, configuration.claimBatchSize)
                    let jobs = await claim(limit: limit)
                    claimedFull = jobs.count == limit
                    for job in jobs {
                        running.add(1, ordering: .relaxed)
                        group.addTask {
                            await self.worker.execute(job)
                            let now = self.running.subtract(1, ordering: .relaxed).newValue
                            if self.concurrency - now == self.refillThreshold || now == 0 { self.wake.signal() }
                        }
                    }
                }
                if claimedFull && running.load(ordering: .relaxed) < concurrency { continue }
                await wake.wait(timeout: configuration.pollInterval)
            }
            await waitForInFlight(grace: configuration.shutdownGracePeriod)
        }
    }

    private func claim(limit: Int) async -> [Job] {
        guard limit > 0 else { return [] }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let rows = try await worker.pool.query(QueueSQL.claim, [
                queue, limit, worker.configuration.workerID, worker.configuration.lease.seconds,
            ])
            worker.metrics.claimLatency(clock.now - start)
            var jobs = try rows.map { row in
                Job(
                    id: try row.decode(Int64.self, at: 0), kind: try row.decode(String.self, at: 1),
                    queue: try row.decode(String.self, at: 2), priority: try row.decode(Int.self, at: 3),
                    args: try row.decode(PostgresJSON.self, at: 4), attempt: try row.decode(Int.self, at: 5),
                    maxAttempts: try row.decode(Int.self, at: 6), runAt: try row.decode(Date.self, at: 7),
                    createdAt: try row.decode(Date.self, at: 8))
            }
            // RETURNING has no order; start the most urgent first.
            jobs.sort { ($0.priority, $0.runAt, $0.id) < ($1.priority, $1.runAt, $1.id) }
            worker.held.add(jobs.map(\.id), queue: queue)
            for job in jobs { worker.metrics.claimed(job.kind) }
            return jobs
        } catch {
            claimAnswerLost.store(true, ordering: .relaxed)
            worker.logger.warning("claim failed; retrying after the poll interval", metadata: ["queue": "\(queue)", "error": "\(error)"])
            try? await Task.sleep(for: .milliseconds(250))
            return []
        }
    }

    /// After a failed claim, gives back the rows of this queue held under this worker's id that it
    /// does not run: the claim may have committed and lost only its answer. Claims of one queue
    /// are sequential, so every row this runner claimed and saw is in `HeldJobs` by now. Until
    /// this succeeds (the database may be down) it is tried again before each claim; and since
    /// the heartbeat renews only held jobs, the rescuer takes such rows back after one lease anyway.
    private func releaseLostClaims() async {
        do {
            let released = try await worker.pool.query(QueueSQL.releaseUnheld, [
                worker.configuration.workerID, queue, worker.held.ids(queue: queue),
            ])
            claimAnswerLost.store(false, ordering: .relaxed)
            if released.count > 0 {
                worker.logger.notice("released jobs whose claim committed but whose answer was lost", metadata: [
                    "queue": "\(queue)", "jobs": "\(released.count)",
                ])
            }
        } catch {
            // The claim that follows fails too and waits; this runs again before the next one.
        }
    }

    /// Waits for running jobs up to `grace`, then cancels them (they are released to the queue).
    private func waitForInFlight(grace: Duration) async {
        let deadline = ContinuousClock.now + grace
        while running.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
            await wake.wait(timeout: .milliseconds(50))
        }
        if running.load(ordering: .relaxed) > 0 {
            worker.logger.notice("grace period over; releasing unfinished jobs", metadata: [
                "queue": "\(queue)", "jobs": "\(running.load(ordering: .relaxed))",
            ])
            worker.inFlight.cancelAll()
        }
    }
}
