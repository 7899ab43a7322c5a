/// The priority of a notification, as stored in SQL (`urgent`, `high`, `normal`, `low`).
///
/// Urgent and high notifications are delivered at once (email, and SMS when allowed); normal and
/// low ones go into the user's digest.
public enum NotificationPriority: String, Sendable, Hashable, Codable, CaseIterable {
    case urgent
    case high
    case normal
    case low

    /// The `herald_jobs.priority` value for jobs carrying this notification: 0 (urgent) … 3 (low).
    /// Lower numbers are claimed first.
    public var queuePriority: Int {
        switch self {
        case .urgent: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }

    /// The priority whose ``queuePriority`` is `queuePriority`, or `nil` outside 0...3.
    public init?(queuePriority: Int) {
        switch queuePriority {
        case 0: self = .urgent
        case 1: self = .high
        case 2: self = .normal
        case 3: self = .low
        default: return nil
        }
    }

    /// `true` for urgent and high: delivered immediately whatever the user's digest setting.
    public var isImmediate: Bool {
        self == .urgent || self == .high
    }
}
