public import Foundation
public import Postgres
public import Queue

/// What Herald knows about a person, for operators (the console's People page): their delivery
/// preferences, their latest notifications with what became of each, and their digests.
public struct RecipientHistory: Sendable {
    /// A user's delivery preferences (`notification_preferences`).
    public struct Preferences: Sendable, Hashable {
        public var userID: UUID
        public var tenantID: UUID
        public var email: String?
        public var phone: String?
        public var smsEnabled: Bool
        public var digestFrequency: String
        /// Local hour of the digest, 0–23.
        public var digestHour: Int
        public var timeZone: String
    }

    /// One notification and what became of it.
    public struct NotificationLine: Sendable, Hashable {
        public var id: UUID
        public var type: String
        public var priority: String
        public var route: String?
        public var skipReason: String?
        public var createdAt: Date
        public var emailSentAt: Date?
        public var smsSentAt: Date?
        public var smsStatus: String?
        /// At most 200 characters.
        public var smsError: String?
        /// The period key of the digest that carried it.
        public var digest: String?
        public var deliveredAt: Date?
        public var bouncedAt: Date?
        /// Its newest route, email or SMS job that is live, failed or cancelled (nil: none, or all completed).
        public var job: QueueInspector.KeyedJob?
    }

    /// One digest email.
    public struct DigestLine: Sendable, Hashable {
        public var periodKey: String
        public var frequency: String
        public var notificationCount: Int
        public var emailSentAt: Date?
        public var deliveredAt: Date?
        public var bouncedAt: Date?
    }

    /// Where the rows live.
    public let pool: PostgresPool

    /// A reader over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    private static let preferenceColumns = """
        SELECT user_id, tenant_id, email, phone, sms_enabled, digest_frequency, digest_hour, time_zone FROM notification_preferences
        """

    /// The preferences of `userID`, or nil.
    public func preferences(userID: UUID) async throws -> Preferences? {
        try await pool.query(Self.preferenceColumns + " WHERE user_id = $1", [userID]).first.map(Self.preferences)
    }

    /// The preferences of up to 20 users whose address is `email` (case-insensitive).
    public func preferences(email: String) async throws -> [Preferences] {
        try await pool.query(Self.preferenceColumns + " WHERE lower(email) = lower($1) ORDER BY user_id LIMIT 20", [email]).map(Self.preferences)
    }

    /// The latest 50 notifications of `users`, newest first, each with its job
    /// (``QueueInspector/jobs(uniqueKeys:)``: `notification.route:<id>`, `email.send:<id>`, `sms.send:<id>`).
    public func notifications(users: [UUID]) async throws -> [NotificationLine] {
        guard !users.isEmpty else { return [] }
        var lines = try await pool.query(
            """
            SELECT n.id, n.type, n.priority, n.route, n.skip_reason, n.created_at, n.email_sent_at, n.sms_sent_at, n.sms_status,
                   left(n.sms_error, 200) AS sms_error, d.period_key AS digest, n.email_delivered_at, n.email_bounced_at
              FROM notifications n
              LEFT JOIN digests d ON d.id = n.digest_id
             WHERE n.user_id = ANY($1::uuid[])
             ORDER BY n.created_at DESC LIMIT 50
            """, [users]
        ).map { row in
            NotificationLine(
                id: try row.decode(UUID.self, column: "id"), type: try row.decode(String.self, column: "type"),
                priority: try row.decode(String.self, column: "priority"), route: try row.decode(String?.self, column: "route"),
                skipReason: try row.decode(String?.self, column: "skip_reason"), createdAt: try row.decode(Date.self, column: "created_at"),
                emailSentAt: try row.decode(Date?.self, column: "email_sent_at"), smsSentAt: try row.decode(Date?.self, column: "sms_sent_at"),
                smsStatus: try row.decode(String?.self, column: "sms_status"), smsError: try row.decode(String?.self, column: "sms_error"),
                digest: try row.decode(String?.self, column: "digest"), deliveredAt: try row.decode(Date?.self, column: "email_delivered_at"),
                bouncedAt: try row.decode(Date?.self, column: "email_bounced_at"), job: nil)
        }
        let keys = lines.flatMap { line in Self.jobKinds.map { "\($0):\(line.id.lowercasedString)" } }
        var newest: [String: QueueInspector.KeyedJob] = [:]
        for job in try await QueueInspector(pool: pool).jobs(uniqueKeys: keys) where (newest[job.uniqueKey]?.id ?? 0) < job.id {
            newest[job.uniqueKey] = job
        }
        for index in lines.indices {
            let id = lines[index].id.lowercasedString
            lines[index].job = Self.jobKinds.compactMap { newest["\($0):\(id)"] }.max { $0.id < $1.id }
        }
        return lines
    }

    /// The kinds of a notification's jobs, whose unique key is `<kind>:<notification id>`.
    static let jobKinds = [NotificationJobKind.route, NotificationJobKind.emailSend, NotificationJobKind.smsSend]

    /// The latest 20 digests of `users`, newest period first.
    public func digests(users: [UUID]) async throws -> [DigestLine] {
        guard !users.isEmpty else { return [] }
        return try await pool.query(
            """
            SELECT period_key, frequency, notification_count, email_sent_at, email_delivered_at, email_bounced_at
              FROM digests WHERE user_id = ANY($1::uuid[])
             ORDER BY period_start DESC LIMIT 20
            """, [users]
        ).map { row in
            DigestLine(
                periodKey: try row.decode(String.self, column: "period_key"), frequency: try row.decode(String.self, column: "frequency"),
                notificationCount: try row.decode(Int.self, column: "notification_count"),
                emailSentAt: try row.decode(Date?.self, column: "email_sent_at"), deliveredAt: try row.decode(Date?.self, column: "email_delivered_at"),
                bouncedAt: try row.decode(Date?.self, column: "email_bounced_at"))
        }
    }

    private static func preferences(_ row: PostgresRow) throws -> Preferences {
        Preferences(
            userID: try row.decode(UUID.self, column: "user_id"), tenantID: try row.decode(UUID.self, column: "tenant_id"),
            email: try row.decode(String?.self, column: "email"), phone: try row.decode(String?.self, column: "phone"),
            smsEnabled: try row.decode(Bool.self, column: "sms_enabled"), digestFrequency: try row.decode(String.self, column: "digest_frequency"),
            digestHour: try row.decode(Int.self, column: "digest_hour"), timeZone: try row.decode(String.self, column: "time_zone"))
    }
}
