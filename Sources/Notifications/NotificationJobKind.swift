/// The job kinds of notification delivery, as stored in `herald_jobs.kind`, and their arguments.
public enum NotificationJobKind {
    /// Routes one notification (enqueued by the `notifications` insert trigger). Args: ``NotificationArgs``.
    public static let route = "notification.route"
    /// Sends one notification's immediate email. Args: ``NotificationArgs``.
    public static let emailSend = "email.send"
    /// Sends one notification's SMS. Args: ``SMSArgs``.
    public static let smsSend = "sms.send"
    /// Builds and sends one user's digest for one period. Args: ``DigestArgs``.
    public static let digestBuild = "digest.build"

    /// `{"notification_id": "…"}`.
    public struct NotificationArgs: Codable, Sendable, Hashable {
        public var notificationID: String
        public init(notificationID: String) { self.notificationID = notificationID }
        enum CodingKeys: String, CodingKey { case notificationID = "notification_id" }
    }

    /// `{"notification_id": "…", "to": "+E164"}`: the number routing chose.
    public struct SMSArgs: Codable, Sendable, Hashable {
        public var notificationID: String
        public var to: String
        public init(notificationID: String, to: String) {
            self.notificationID = notificationID
            self.to = to
        }
        enum CodingKeys: String, CodingKey { case notificationID = "notification_id", to }
    }

    /// One user's digest period: `{"user_id", "frequency", "period_key", "period_start", "period_end",
    /// "gather_older"}` (instants as seconds since 1970, so the job is self-contained and time-zone
    /// free). The digest lists the pending notifications created in `[period_start, period_end)`,
    /// and with `gather_older` also every older pending one (stragglers, periods beyond the
    /// catch-up cap); the scheduler sets it on the oldest period it enqueues for a user only, so
    /// digests built at the same time never compete for the same notifications.
    public struct DigestArgs: Codable, Sendable, Hashable {
        public var userID: String
        public var frequency: String
        public var periodKey: String
        public var periodStart: Double
        public var periodEnd: Double
        public var gatherOlder: Bool?
        public init(userID: String, frequency: String, periodKey: String, periodStart: Double, periodEnd: Double, gatherOlder: Bool = false) {
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
    }
}
