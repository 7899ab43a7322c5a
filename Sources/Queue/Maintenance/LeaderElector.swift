import Logging
import Postgres
import Synchronization

/// Leader election with a session-level advisory lock on a dedicated connection.
///
/// Whoever holds the lock is the leader; when its connection or process dies, PostgreSQL releases
/// the lock and another process takes it at its next attempt. So with N processes, exactly one
/// runs maintenance at a time.
final class LeaderElector: Sendable {
    /// The advisory lock key, visible in `pg_locks` (objid) for operators.
    static let lockKey: Int64 = 7_482_311_002

    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let connection = Mutex<PostgresConnection?>(nil)
    private let leading = Atomic<Bool>(false)
    private let since = Mutex<ContinuousClock.Instant?>(nil)

    init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    var isLeader: Bool { leading.load(ordering: .relaxed) }

    /// When this process took the lead; nil while it does not lead.
    var leadingSince: ContinuousClock.Instant? { since.withLock { $0 } }

    /// Confirms or tries to take leadership; returns whether this process leads now.
    func check() async -> Bool {
        if let current = connection.withLock({ $0 }) {
            if await current.isAlive(), !current.isBroken {
                if isLeader { return true }
                return await tryLock(current)
            }
            // Only a leader has something to lose; the others just retry the election.
            if isLeader { logger.notice("leader connection lost") }
            leading.store(false, ordering: .relaxed)
            since.withLock { $0 = nil }
            connection.withLock { $0 = nil }
            await current.close()
        }
        guard let fresh = try? await PostgresConnection.connect(configuration: configuration, logger: logger) else {
            return false
        }
        connection.withLock { $0 = fresh }
        return await tryLock(fresh)
    }

    private func tryLock(_ connection: PostgresConnection) async -> Bool {
        guard let rows = try? await connection.query("SELECT pg_try_advisory_lock($1) AS locked", [Self.lockKey]),
              let locked = try? rows[0].decode(Bool.self, column: "locked")
        else { return false }
        if locked && !isLeader {
            logger.info("became leader")
            since.withLock { $0 = .now }
        }
        if !locked { since.withLock { $0 = nil } }
        leading.store(locked, ordering: .relaxed)
        return locked
    }

    /// Gives up leadership (closing the connection releases the lock).
    func resign() async {
        leading.store(false, ordering: .relaxed)
        since.withLock { $0 = nil }
        if let current = connection.withLock({ connection in defer { connection = nil }; return connection }) {
            await current.close()
        }
    }
}
