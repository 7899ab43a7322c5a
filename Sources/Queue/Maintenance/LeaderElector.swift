import Logging
import Postgres
import Synchronization

/// Leader election with a lease row (`herald_leader`, migration 060), as River does.
///
/// The leader renews the row every third of the lease; any other process takes it once it has
/// expired on the server's clock. A session advisory lock, which Herald used before, lives as long
/// as the leader's session: after a silent partition (no FIN, no RST) PostgreSQL keeps it until
/// its TCP keepalive gives up, two hours with Linux defaults, and no one leads in that time.
///
/// The leader stops acting on its own clock: it counts its lease from the moment it *sent* the
/// renewal, which is before the server stamped `now()`, so it stops leading before the row can
/// expire for the others. So two processes never both believe they lead, whatever the network
/// does, as long as their clocks run at the same rate (not: show the same time).
final class LeaderElector: Sendable {
    /// Takes or renews the lease; returns a row only when `$1` leads afterwards.
    static let acquire = """
        INSERT INTO herald_leader AS l (name, leader_id, elected_at, expires_at)
        VALUES ('maintenance', $1, now(), now() + make_interval(secs => $2))
        ON CONFLICT (name) DO UPDATE
           SET leader_id = EXCLUDED.leader_id,
               elected_at = CASE WHEN l.leader_id = EXCLUDED.leader_id THEN l.elected_at ELSE now() END,
               expires_at = EXCLUDED.expires_at
         WHERE l.leader_id = EXCLUDED.leader_id OR l.expires_at < now()
        RETURNING leader_id
        """
    /// Hands the lead over at once on shutdown instead of letting the lease run out.
    static let release = "DELETE FROM herald_leader WHERE name = 'maintenance' AND leader_id = $1"

    private let configuration: PostgresConfiguration
    private let leaderID: String
    private let lease: Duration
    private let logger: Logger
    private let connection = Mutex<PostgresConnection?>(nil)
    private struct Lead {
        /// When this process took the lead.
        var since: ContinuousClock.Instant
        /// This process leads until then unless it renews first.
        var until: ContinuousClock.Instant
    }
    private let lead = Mutex<Lead?>(nil)

    /// - Parameters:
    ///   - configuration: a direct connection (not through a transaction pooler).
    ///   - leaderID: the worker id, written to `herald_leader.leader_id`.
    ///   - lease: how long a renewal holds; failover after a leader dies or goes silent takes at
    ///     most this plus one attempt interval.
    init(configuration: PostgresConfiguration, leaderID: String, lease: Duration, logger: Logger) {
        self.configuration = configuration
        self.leaderID = leaderID
        self.lease = lease
        self.logger = logger
    }

    /// How often to call `check()`: a third of the lease, so two renewals can fail before it ends.
    var attemptInterval: Duration { lease / 3 }

    /// Whether this process leads now: it renewed within its lease. Computed from the clock, so a
    /// renewal stuck on a silent network ends the lead on time.
    var isLeader: Bool { leadingSince != nil }

    /// When this process took the lead; nil while it does not lead.
    var leadingSince: ContinuousClock.Instant? {
        lead.withLock { lead in
            guard let current = lead, ContinuousClock.now < current.until else { return nil }
            return current.since
        }
    }

    /// Renews the lease or tries to take it; returns whether this process leads afterwards.
    @discardableResult
    func check() async -> Bool {
        noteExpiry()
        let sent = ContinuousClock.now
        do {
            let connection = try await currentConnection()
            let rows = try await connection.query(Self.acquire, [leaderID, lease.seconds])
            return granted(!rows.isEmpty, sent: sent)
        } catch {
            let wasLeading = lead.withLock { $0 != nil }
            // Only a leader has something to lose; the others just try again next time.
            if wasLeading { logger.notice("leader connection lost", metadata: ["error": "\(error)"]) }
            lead.withLock { $0 = nil }
            await dropConnection()
            return false
        }
    }

    /// Gives up the lead and deletes the row so another process takes it at its next attempt.
    func resign() async {
        let wasLeading = lead.withLock { lead in defer { lead = nil }; return lead != nil }
        guard let current = connection.withLock({ connection in defer { connection = nil }; return connection }) else { return }
        if wasLeading { _ = try? await current.query(Self.release, [leaderID]) }
        await current.close()
    }

    private func granted(_ leads: Bool, sent: ContinuousClock.Instant) -> Bool {
        let (took, lost) = lead.withLock { lead -> (Bool, Bool) in
            let had = lead != nil
            if leads {
                lead = Lead(since: lead?.since ?? .now, until: sent + lease)
            } else {
                lead = nil
            }
            return (leads && !had, !leads && had)
        }
        if took { logger.info("became leader", metadata: ["lease_ms": "\(lease.milliseconds)"]) }
        if lost { logger.notice("lost the lead: another process holds the leader lease") }
        return leads
    }

    /// Logs once when the lease ran out because renewals did not come back in time (a silent
    /// network, an overloaded database) and forgets the lead. Called by `check()` and by the
    /// maintenance loop, which goes on while a renewal hangs.
    func noteExpiry() {
        let expired = lead.withLock { lead -> Bool in
            guard let current = lead, ContinuousClock.now >= current.until else { return false }
            lead = nil
            return true
        }
        if expired { logger.notice("leader lease ran out before it could be renewed; stopped leading") }
    }

    private func currentConnection() async throws -> PostgresConnection {
        if let current = connection.withLock({ $0 }), !current.isBroken { return current }
        await dropConnection()
        let fresh = try await PostgresConnection.connect(configuration: configuration, logger: logger)
        connection.withLock { $0 = fresh }
        return fresh
    }

    private func dropConnection() async {
        if let current = connection.withLock({ connection in defer { connection = nil }; return connection }) {
            await current.close()
        }
    }
}

extension Duration {
    /// Whole milliseconds, for log metadata.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
