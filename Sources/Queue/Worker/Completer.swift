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
    private let buffer = Mutex<[JobOutcome]>([])
    private let wake = WakeSignal()
    private static let flushSize = 2_000

    init(pool: PostgresPool, workerID: String, flushInterval: Duration, logger: Logger) {
        self.pool = pool
        self.workerID = workerID
        self.flushInterval = flushInterval
        self.logger = logger
    }

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

    /// Writes everything buffered. On a database error the outcomes are kept for the next flush;
    /// if the worker dies first, the leases expire and the jobs run again (at-least-once).
    func flush() async {
        let batch = buffer.withLock { buffer -> [JobOutcome] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !batch.isEmpty else { return }
        let completed = batch.filter { $0.action == .complete }.map(\.id)
        let settled = batch.filter { $0.action != .complete }
        do {
            try await pool.withConnection { connection in
                if !completed.isEmpty {
                    try await connection.query(QueueSQL.complete, [completed, workerID])
                }
                if !settled.isEmpty {
                    try await connection.query(QueueSQL.settle, [
                        settled.map(\.id), workerID, settled.map(\.action.rawValue), settled.map(\.error), settled.map(\.runAt),
                    ])
                }
            }
        } catch {
            logger.warning("could not record job outcomes; will retry", metadata: ["error": "\(error)", "jobs": "\(batch.count)"])
            buffer.withLock { $0.insert(contentsOf: batch, at: 0) }
            try? await Task.sleep(for: .milliseconds(200))
            wake.signal()
        }
    }
}
