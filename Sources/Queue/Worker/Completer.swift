import Foundation
import Logging
import Postgres
import Synchronization

/// What became of one attempt, waiting to be written.
struct JobOutcome: Sendable {
    enum Action: String, Sendable { case complete, retry, fail, snooze, cancel, release }
    var id: Int64
    var action: Action
    var error: String?
    var runAt: Date?
}

/// Group commit of job outcomes: everything that finished within `flushInterval` is written in
/// one statement per kind of outcome, so a busy worker commits a few hundred jobs per transaction.
final class Completer: Sendable {
    private let pool: PostgresPool
    private let workerID: String
    private let flushInterval: Duration
    private let logger: Logger
    private let held: HeldJobs
    private let buffer = Mutex<[JobOutcome]>([])
    private let wake = WakeSignal()
    /// While the database cannot be reached: since when, how many flushes failed, the last error.
    private struct Outage {
        var since: ContinuousClock.Instant
        var failures: Int
    }
    private let outage = Mutex<Outage?>(nil)
    private static let flushSize = 2_000

    init(pool: PostgresPool, workerID: String, flushInterval: Duration, held: HeldJobs, logger: Logger) {
        self.pool = pool
        self.workerID = workerID
        self.flushInterval = flushInterval
        self.held = held
        self.logger = logger
    }

    /// Outcomes waiting to be written.
    var pendingCount: Int { buffer.withLock { $0.count } }

    func add(_ outcome: JobOutcome) {
        let count = buffer.withLock { buffer -> Int in
            buffer.append(outcome)
            return buffer.count
        }
        if count == 1 || count == Self.flushSize { wake.signal() }
    }

    /// Flushes in a loop until cancelled; a final `flush()` is the caller's job.
    func run() async {
        while !Task.isCancelled {
            await wake.wait(timeout: .seconds(1))
            if Task.isCancelled { break }
            // Let more outcomes gather unless the buffer is already large.
            if buffer.withLock({ $0.count }) < Self.flushSize { try? await Task.sleep(for: flushInterval) }
            await flush()
        }
    }

    /// Writes everything buffered. On a database error the outcomes are kept and written when the
    /// database answers again; meanwhile the heartbeat keeps renewing their leases (they stay in
    /// `HeldJobs`), so an outage does not make finished jobs run again. The outage is logged once
    /// when it starts and once when it ends, with counts, not at every retry.
    func flush() async {
        let batch = buffer.withLock { buffer -> [JobOutcome] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !batch.isEmpty else { return }
        let completed = batch.filter { $0.action == .complete }.map(\.id)
        let settled = batch.filter { $0.action != .complete }
        held.setSettling(batch.map(\.id), true)
        do {
            let written = try await pool.withConnection { connection -> Int in
                var written = 0
                if !completed.isEmpty {
                    written += try await connection.query(QueueSQL.complete, [completed, workerID]).affectedRows
                }
                if !settled.isEmpty {
                    written += try await connection.query(QueueSQL.settle, [
                        settled.map(\.id), workerID, settled.map(\.action.rawValue), settled.map(\.error), settled.map(\.runAt),
                    ]).affectedRows
                }
                return written
            }
            held.remove(batch.map(\.id))
            if let ended = outage.withLock({ outage in defer { outage = nil }; return outage }) {
                logger.notice("recorded job outcomes again after the database was unreachable", metadata: [
                    "failed_attempts": "\(ended.failures)",
                    "outage_ms": "\(Int(((ContinuousClock.now - ended.since) / .milliseconds(1)).rounded()))",
                    "jobs": "\(batch.count)",
                ])
            }
            if written < batch.count {
                // Cancelled by an admin while running, or rescued after the lease ran out.
                logger.notice("some job outcomes were not recorded: those jobs no longer ran under this worker", metadata: [
                    "jobs": "\(batch.count - written)",
                ])
            }
        } catch {
            held.setSettling(batch.map(\.id), false)  // the heartbeat keeps them leased meanwhile
            buffer.withLock { $0.insert(contentsOf: batch, at: 0) }
            let failures = outage.withLock { outage -> Int in
                if outage == nil { outage = Outage(since: .now, failures: 0) }
                outage!.failures += 1
                return outage!.failures
            }
            if failures == 1 {
                logger.warning("could not record job outcomes; keeping them and retrying until the database answers", metadata: [
                    "error": "\(error)", "jobs": "\(batch.count)",
                ])
            }
            // 200 ms, then slower up to 2 s, so an outage costs few reconnection attempts.
            try? await Task.sleep(for: .milliseconds(min(2_000, 200 * failures)))
            wake.signal()
        }
    }
}
