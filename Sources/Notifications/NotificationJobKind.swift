public import Foundation
public import Postgres
public import Queue

/// The job kinds of notification delivery, as stored in `herald_jobs.kind`, and their arguments.
/// Each channel declares its own send kind in its folder (`email.send`, `sms.send`).
public enum NotificationJobKind {
    /// Routes one notification (enqueued by the `notifications` insert trigger). Args: ``NotificationArgs``.
    public static let route = "notification.route"
    /// Builds and sends one user's digest for one period. Args: ``DigestArgs``.
    public static let digestBuild = "digest.build"

    /// `{"notification_id": "<uuid>"}`. Decoded by the worker before the handler runs; the
    /// id is written lowercase, as the producer trigger writes it.
    public struct NotificationArgs: JobArguments, Codable, Hashable {
        public var notificationID: UUID
        public init(notificationID: UUID) { self.notificationID = notificationID }
        enum CodingKeys: String, CodingKey { case notificationID = "notification_id" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(notificationID.lowercasedString, forKey: .notificationID)
        }

        /// Reads `{"notification_id": "<uuid>"}` as PostgreSQL prints jsonb (every route and
        /// email job) without a `JSONDecoder`; any other text takes the decoder.
        public static func decode(_ args: PostgresJSON) throws -> NotificationArgs {
            let prefix = #"{"notification_id": ""#
            let text = args.text
            if text.hasPrefix(prefix), text.hasSuffix(#""}"#) {
                let body = text.dropFirst(prefix.count).dropLast(2)
                if body.utf8.count == 36, let id = UUID(uuidString: String(body)) { return NotificationArgs(notificationID: id) }
            }
            return try args.decode(NotificationArgs.self)
        }
    }

    /// One user's digest period: `{"user_id", "frequency", "period_key", "period_start", "period_end",
    /// "gather_older"}` (instants as seconds since 1970, so the job is self-contained and time-zone
    /// free). The digest lists the pending notifications created in `[period_start, period_end)`,
    /// and with `gather_older` also every older pending one (stragglers, periods beyond the
    /// catch-up cap); the scheduler sets it on the oldest period it enqueues for a user only, so
    /// digests built at the same time never compete for the same notifications.
    ///
    /// Decoding refuses a frequency other than `daily`, `weekly` or `monthly` and a period that
    /// does not end after it starts.
    public struct DigestArgs: JobArguments, Codable, Hashable {
        public var userID: UUID
        public var frequency: String
        public var periodKey: String
        public var periodStart: Double
        public var periodEnd: Double
        public var gatherOlder: Bool?
        public init(userID: UUID, frequency: String, periodKey: String, periodStart: Double, periodEnd: Double, gatherOlder: Bool = false) {
            self.userID = userID
            self.frequency = frequency
            self.periodKey = periodKey
            self.periodStart = periodStart
            self.periodEnd = periodEnd
            self.gatherOlder = gatherOlder
        }
        enum CodingKeys: String, CodingKey {
            case userID = "user_id", frequency, periodKey = "period_key", periodStart = "period_start", periodEnd = "period_end"
            case gatherOlder = "gather_older"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            userID = try container.decode(UUID.self, forKey: .userID)
            frequency = try container.decode(String.self, forKey: .frequency)
            periodKey = try container.decode(String.self, forKey: .periodKey)
            periodStart = try container.decode(Double.self, forKey: .periodStart)
            periodEnd = try container.decode(Double.self, forKey: .periodEnd)
            gatherOlder = try container.decodeIfPresent(Bool.self, forKey: .gatherOlder)
            guard ["daily", "weekly", "monthly"].contains(frequency) else {
                throw DecodingError.dataCorruptedError(forKey: .frequency, in: container, debugDescription: "must be daily, weekly or monthly")
            }
            guard periodEnd > periodStart else {
                throw DecodingError.dataCorruptedError(forKey: .periodEnd, in: container, debugDescription: "must be after period_start")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(userID.lowercasedString, forKey: .userID)
            try container.encode(frequency, forKey: .frequency)
            try container.encode(periodKey, forKey: .periodKey)
            try container.encode(periodStart, forKey: .periodStart)
            try container.encode(periodEnd, forKey: .periodEnd)
            try container.encodeIfPresent(gatherOlder, forKey: .gatherOlder)
        }
    }
}
