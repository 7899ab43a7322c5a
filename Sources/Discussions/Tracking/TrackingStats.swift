/// Delivery statistics of the tracked emails of one thread or one message.
///
/// Each field counts recipients (rows of `discussion_email_tracking`), not events: a recipient
/// who opened five times counts once in `opened`.
/// - `total`: recipients tracked;
/// - `sent`, `delivered`, `opened`, `clicked`, `bounced`: recipients whose `sent_at`,
///   `delivered_at`, `opened_at`, `clicked_at`, `bounced_at` is set;
/// - `openRate`: 100 × opened / sent, rounded to 2 decimals (a percentage, 0…100); 0 when
///   nothing was sent.
///
/// The SQL functions `herald_tracking_stats_for_thread(uuid)` and
/// `herald_tracking_stats_for_message(uuid)` compute exactly these values.
public struct TrackingStats: Sendable, Hashable, Codable {
    public var total: Int
    public var sent: Int
    public var delivered: Int
    public var opened: Int
    public var clicked: Int
    public var bounced: Int
    /// Percentage of sent emails opened, 2 decimals; 0 when `sent` is 0.
    public var openRate: Double

    /// Stats with these counts; `openRate` is taken as given.
    public init(total: Int, sent: Int, delivered: Int, opened: Int, clicked: Int = 0, bounced: Int, openRate: Double) {
        self.total = total
        self.sent = sent
        self.delivered = delivered
        self.opened = opened
        self.clicked = clicked
        self.bounced = bounced
        self.openRate = openRate
    }

    /// No recipients.
    public static let zero = TrackingStats(total: 0, sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, openRate: 0)

    /// The open rate by the definition above, in `Double` arithmetic (the database rounds the
    /// exact decimal; the two agree except, at most, in the last digit of a tie).
    public static func openRate(opened: Int, sent: Int) -> Double {
        guard sent > 0 else { return 0 }
        return (Double(opened) * 100 / Double(sent) * 100).rounded() / 100
    }

    enum CodingKeys: String, CodingKey {
        case total, sent, delivered, opened, clicked, bounced
        case openRate = "open_rate"
    }
}
