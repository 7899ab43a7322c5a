public import Foundation
public import Logging
public import Postgres
public import Queue

/// The leader's digest task: for every user with a daily, weekly or monthly digest and pending
/// digest notifications, enqueues a `digest.build` job for every period that ended (in the user's
/// time zone, at their hour: daily, weekly on Monday, monthly on the 1st, DST-correct via
/// ``DigestSchedule``) after their oldest pending notification was created.
///
/// - No duplicates across workers or runs: each job's `unique_key` is
///   `digest.build:<user>:<period_key>`, and the build itself is idempotent per `(user, period_key)`.
/// - Nothing is lost when workers were down at a boundary: the periods are derived from the
///   pending notifications (and the last sent digest), not from the time of the last run; at most
///   ``NotificationDeliveryConfiguration/digestCatchUpLimit`` periods per user per run (the most
///   recent), and the oldest enqueued one also gathers anything older (`gather_older`), so
///   concurrent builds of one user's periods never compete for a notification.
/// - Users without pending notifications get no job (no empty digests).
public struct DigestScheduler: PeriodicTask {
    public let name = "digest scheduler"
    public let interval: Duration
    let configuration: NotificationDeliveryConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameter now: the clock (injectable for tests).
    public init(configuration: NotificationDeliveryConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.interval = configuration.digestSchedulerInterval
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    public func run(pool: PostgresPool) async throws {
        _ = try await enqueueDuePeriods(pool: pool)
    }

    /// One run; returns how many jobs were enqueued (already-live keys are skipped).
    public func enqueueDuePeriods(pool: PostgresPool) async throws -> Int {
        let now = self.now()
        let rows = try await pool.query(
            """
            SELECT p.user_id, p.digest_frequency, p.time_zone, p.digest_hour, min(n.created_at) AS oldest,
                   (SELECT max(d.period_end) FROM digests d WHERE d.user_id = p.user_id AND d.email_sent_at IS NOT NULL) AS last_sent_end
              FROM notification_preferences p
              JOIN notifications n ON n.user_id = p.user_id
             WHERE p.digest_frequency <> 'never' AND p.email IS NOT NULL
               AND n.email_sent_at IS NULL AND n.digest_id IS NULL AND n.priority IN ('normal', 'low')
               AND n.route LIKE 'digest:%' AND n.created_at < $1
             GROUP BY p.user_id, p.digest_frequency, p.time_zone, p.digest_hour
            """, [now])
        var requests: [JobRequest] = []
        for row in rows {
            let userID = try row.decode(UUID.self, column: "user_id")
            guard let frequency = DigestFrequency(rawValue: try row.decode(String.self, column: "digest_frequency")) else { continue }
            let schedule: DigestSchedule
            do {
                schedule = try DigestSchedule(
                    frequency: frequency, timeZoneIdentifier: try row.decode(String.self, column: "time_zone"),
                    hour: try row.decode(Int.self, column: "digest_hour"))
            } catch {
                logger.warning("skipping a user's digest: bad schedule", metadata: ["user.id": "\(userID)", "error": "\(error)"])
                continue
            }
            let oldest = try row.decode(Date.self, column: "oldest")
            let lastSentEnd = try row.decode(Date?.self, column: "last_sent_end") ?? .distantPast
            // Periods already sent are not built again; a straggler created in one of them joins
            // the first period after it.
            let due = schedule.periods(endingBetween: max(oldest, lastSentEnd), and: now, limit: configuration.digestCatchUpLimit)
            for (index, period) in due.enumerated() {
                let user = userID.uuidString.lowercased()
                let args = NotificationJobKind.DigestArgs(
                    userID: userID, frequency: frequency.rawValue, periodKey: period.key,
                    periodStart: period.start.timeIntervalSince1970, periodEnd: period.end.timeIntervalSince1970, gatherOlder: index == 0)
                requests.append(try JobRequest(
                    kind: NotificationJobKind.digestBuild, encoding: args, queue: configuration.queue, priority: 2,
                    uniqueKey: "digest.build:\(user):\(period.key)"))
            }
        }
        guard !requests.isEmpty else { return 0 }
        let inserted = try await JobQueue(pool: pool).enqueueMany(requests)
        logger.debug("digest periods enqueued", metadata: ["jobs": "\(inserted)", "candidates": "\(requests.count)"])
        return inserted
    }
}
