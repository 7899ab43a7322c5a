public import Foundation
public import Mail
public import Postgres

/// Reads and records what happens to tracked discussion emails (`discussion_email_tracking`).
///
/// Every method is one parameterised statement, so each is atomic on its own and safe under
/// any number of concurrent callers and processes:
/// - counts are incremented in the UPDATE itself (`open_count = open_count + 1`), never
///   read-modify-written;
/// - "first" timestamps (`opened_at`, `clicked_at`, `delivered_at`) keep the earliest event time
///   seen (`least(opened_at, $at)`; `least` ignores NULL), so the first event wins whatever order
///   concurrent or retried events are applied in;
/// - client-supplied text is cleaned first: an invalid IP address is stored as NULL and the event
///   still counts; an over-long user agent is cut to 512 characters.
///
/// For the open pixel's volume use `TrackingEventRecorder`, which batches opens and clicks.
public struct DiscussionEmailTrackingStore: Sendable {
    /// Where the rows live.
    public let pool: PostgresPool

    /// A store over `pool`; it holds no state of its own.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    // MARK: - Creating rows (the fan-out)

    /// Creates the tracking row of one recipient of one message, or returns the existing one.
    ///
    /// Idempotent on (message, recipient address): a retried fan-out gets the same row and
    /// pixel id back. `trackingPixelId` nil lets the database generate an unguessable one.
    public func register(
        threadId: UUID, messageId: UUID, recipientEmail: String,
        recipientType: DiscussionEmailTracking.RecipientType, trackingPixelId: String? = nil
    ) async throws -> DiscussionEmailTracking {
        let rows = try await pool.query(
            """
            INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, tracking_pixel_id)
            VALUES ($1, $2, $3, $4, coalesce($5::text, encode(gen_random_bytes(16), 'hex')))
            ON CONFLICT (message_id, recipient_email) DO UPDATE SET recipient_type = EXCLUDED.recipient_type
            RETURNING \(DiscussionEmailTracking.columns)
            """,
            [threadId, messageId, recipientEmail, recipientType.rawValue, trackingPixelId])
        return try DiscussionEmailTracking(row: rows[0])
    }

    /// Records that the email was handed to the provider: `sent_at` (the first send only), and
    /// the provider's MessageID and the Message-ID header when given.
    /// Returns the updated row, or nil for an unknown pixel id.
    @discardableResult
    public func recordSent(
        trackingPixelId: String, providerMessageId: String?, emailMessageId: String?, at date: Date = Date()
    ) async throws -> DiscussionEmailTracking? {
        let rows = try await pool.query(
            """
            UPDATE discussion_email_tracking
               SET sent_at = least(sent_at, $4),
                   provider_message_id = coalesce($2::text, provider_message_id),
                   email_message_id = coalesce($3::text, email_message_id)
             WHERE tracking_pixel_id = $1
            RETURNING \(DiscussionEmailTracking.columns)
            """,
            [trackingPixelId, providerMessageId, emailMessageId, date])
        return try rows.first.map(DiscussionEmailTracking.init(row:))
    }

    /// Stores the URLs written into this recipient's email, position 0 first, replacing any
    /// stored before. The click endpoint redirects only to these (`link(trackingPixelId:position:)`).
    /// URLs must be http(s) or mailto (`discussion_email_links_url_check`).
    public func saveLinks(trackingPixelId: String, urls: [String]) async throws {
        try await pool.query(
            """
            WITH removed AS (
                DELETE FROM discussion_email_links WHERE tracking_pixel_id = $1 AND position >= cardinality($2::text[])
            )
            INSERT INTO discussion_email_links (tracking_pixel_id, position, url)
            SELECT $1, (u.ordinality - 1)::integer, u.url FROM unnest($2::text[]) WITH ORDINALITY AS u(url, ordinality)
            ON CONFLICT (tracking_pixel_id, position) DO UPDATE SET url = EXCLUDED.url
            """,
            [trackingPixelId, urls])
    }

    /// The URL at `position` in the email with this pixel id, or nil when Herald sent no such link.
    public func link(trackingPixelId: String, position: Int) async throws -> String? {
        guard TrackingEventInput.isWellFormedPixelId(trackingPixelId), position >= 0, position <= Int(Int32.max) else { return nil }
        let rows = try await pool.query(
            "SELECT url FROM discussion_email_links WHERE tracking_pixel_id = $1 AND position = $2::integer",
            [trackingPixelId, position])
        return try rows.first?.decode(String.self, column: "url")
    }

    // MARK: - Events

    /// recordOpen: increments `open_count`, sets `opened_at` on the first open (the earliest
    /// `at` seen), and stores this open's user agent and IP address (NULL when `ip` is not a
    /// valid address). Returns the updated row, or nil when no email has this pixel id.
    @discardableResult
    public func recordOpen(
        trackingPixelId: String, userAgent: String?, ip: String?, at date: Date = Date()
    ) async throws -> DiscussionEmailTracking? {
        try await record(Self.openStatement, trackingPixelId: trackingPixelId, userAgent: userAgent, ip: ip, at: date)
    }

    /// recordClick: increments `click_count`, sets `clicked_at` on the first click (the earliest
    /// `at` seen), and stores this click's user agent and IP address (NULL when `ip` is not a
    /// valid address). Returns the updated row, or nil when no email has this pixel id.
    @discardableResult
    public func recordClick(
        trackingPixelId: String, userAgent: String?, ip: String?, at date: Date = Date()
    ) async throws -> DiscussionEmailTracking? {
        try await record(Self.clickStatement, trackingPixelId: trackingPixelId, userAgent: userAgent, ip: ip, at: date)
    }

    private static let openStatement = eventStatement(counting: "open_count", firstAt: "opened_at")
    private static let clickStatement = eventStatement(counting: "click_count", firstAt: "clicked_at")

    /// The UPDATE of one open or click, which differ only in the count they increment and the
    /// first-time column they set; both names are constants of this file, never input.
    private static func eventStatement(counting count: String, firstAt: String) -> String {
        """
        UPDATE discussion_email_tracking
           SET \(count) = \(count) + 1, \(firstAt) = least(\(firstAt), $2),
               user_agent = $3::text, ip_address = $4::inet
         WHERE tracking_pixel_id = $1
        RETURNING \(DiscussionEmailTracking.columns)
        """
    }

    /// One open or click: the statement differs only in which count and first-time column it sets.
    private func record(
        _ statement: String, trackingPixelId: String, userAgent: String?, ip: String?, at date: Date
    ) async throws -> DiscussionEmailTracking? {
        guard TrackingEventInput.isWellFormedPixelId(trackingPixelId) else { return nil }
        let rows = try await pool.query(
            statement,
            [trackingPixelId, date, TrackingEventInput.userAgent(userAgent), TrackingEventInput.ipAddress(ip)])
        return try rows.first.map(DiscussionEmailTracking.init(row:))
    }

    /// recordDelivery by the provider's MessageID (Postmark's Delivery webhook): sets
    /// `delivered_at` on the first delivery event only; a repeated or later event leaves it.
    /// `recipient` (case-insensitive) narrows the match when one MessageID covered several
    /// recipients. Returns the matching rows (empty when none).
    @discardableResult
    public func recordDelivery(
        providerMessageId: String, recipient: String? = nil, at date: Date = Date()
    ) async throws -> [DiscussionEmailTracking] {
        let rows = try await pool.query(
            """
            UPDATE discussion_email_tracking
               SET delivered_at = least(delivered_at, $3)
             WHERE provider_message_id = $1 AND ($2::text IS NULL OR lower(recipient_email) = lower($2::text))
            RETURNING \(DiscussionEmailTracking.columns)
            """,
            [providerMessageId, recipient, date])
        return try rows.map(DiscussionEmailTracking.init(row:))
    }

    /// recordDelivery by pixel id: sets `delivered_at` on the first delivery event only.
    /// Returns the row, or nil for an unknown pixel id.
    @discardableResult
    public func recordDelivery(trackingPixelId: String, at date: Date = Date()) async throws -> DiscussionEmailTracking? {
        guard TrackingEventInput.isWellFormedPixelId(trackingPixelId) else { return nil }
        let rows = try await pool.query(
            """
            UPDATE discussion_email_tracking SET delivered_at = least(delivered_at, $2)
             WHERE tracking_pixel_id = $1
            RETURNING \(DiscussionEmailTracking.columns)
            """,
            [trackingPixelId, date])
        return try rows.first.map(DiscussionEmailTracking.init(row:))
    }

    /// recordBounce by the provider's MessageID (Postmark's Bounce and SpamComplaint webhooks):
    /// sets `bounced_at`, `bounce_type` and `bounce_reason`.
    ///
    /// A later bounce replaces an earlier one, except that a soft bounce never replaces a hard
    /// bounce or a complaint (the permanent verdict stands). Returns the matching rows.
    @discardableResult
    public func recordBounce(
        providerMessageId: String, recipient: String? = nil, bounceType: DiscussionEmailTracking.BounceType,
        reason: String?, at date: Date = Date()
    ) async throws -> [DiscussionEmailTracking] {
        let rows = try await pool.query(
            """
            UPDATE discussion_email_tracking t
               SET \(Self.bounceAssignments)
             WHERE t.provider_message_id = $4 AND ($5::text IS NULL OR lower(t.recipient_email) = lower($5::text))
            RETURNING \(DiscussionEmailTracking.qualifiedColumns)
            """,
            [bounceType.rawValue, reason, date, providerMessageId, recipient])
        return try rows.map(DiscussionEmailTracking.init(row:))
    }

    /// recordBounce by pixel id; the same rules as by MessageID. Returns the row, or nil for an
    /// unknown pixel id.
    @discardableResult
    public func recordBounce(
        trackingPixelId: String, bounceType: DiscussionEmailTracking.BounceType, reason: String?, at date: Date = Date()
    ) async throws -> DiscussionEmailTracking? {
        guard TrackingEventInput.isWellFormedPixelId(trackingPixelId) else { return nil }
        let rows = try await pool.query(
            """
            UPDATE discussion_email_tracking t
               SET \(Self.bounceAssignments)
             WHERE t.tracking_pixel_id = $4
            RETURNING \(DiscussionEmailTracking.qualifiedColumns)
            """,
            [bounceType.rawValue, reason, date, trackingPixelId])
        return try rows.first.map(DiscussionEmailTracking.init(row:))
    }

    /// $1 bounce type, $2 reason, $3 time. A soft bounce does not overwrite a permanent verdict.
    static let bounceAssignments = """
        bounce_type = CASE WHEN t.bounce_type IN ('hard', 'complaint') AND $1::text = 'soft' THEN t.bounce_type ELSE $1::text END,
                   bounce_reason = CASE WHEN t.bounce_type IN ('hard', 'complaint') AND $1::text = 'soft' THEN t.bounce_reason ELSE $2::text END,
                   bounced_at = CASE WHEN t.bounce_type IN ('hard', 'complaint') AND $1::text = 'soft' THEN t.bounced_at ELSE $3::timestamptz END
        """

    // MARK: - Reading

    /// findByTrackingPixel: the row with this pixel id, or nil.
    public func findByTrackingPixel(_ trackingPixelId: String) async throws -> DiscussionEmailTracking? {
        guard TrackingEventInput.isWellFormedPixelId(trackingPixelId) else { return nil }
        let rows = try await pool.query(
            "SELECT \(DiscussionEmailTracking.columns) FROM discussion_email_tracking WHERE tracking_pixel_id = $1",
            [trackingPixelId])
        return try rows.first.map(DiscussionEmailTracking.init(row:))
    }

    /// The rows of one message, by recipient address.
    public func findByMessage(_ messageId: UUID) async throws -> [DiscussionEmailTracking] {
        let rows = try await pool.query(
            "SELECT \(DiscussionEmailTracking.columns) FROM discussion_email_tracking WHERE message_id = $1 ORDER BY recipient_email",
            [messageId])
        return try rows.map(DiscussionEmailTracking.init(row:))
    }

    /// The pixel ids of the emails Postmark accepted under `providerMessageId` (its MessageID),
    /// narrowed to `recipient` (case-insensitive) when given.
    public func trackingPixelIds(providerMessageId: String, recipient: String?) async throws -> [String] {
        try await pool.query(
            """
            SELECT tracking_pixel_id FROM discussion_email_tracking
             WHERE provider_message_id = $1 AND ($2::text IS NULL OR lower(recipient_email) = lower($2::text))
            """, [providerMessageId, recipient]).map { try $0.decode(String.self, column: "tracking_pixel_id") }
    }

    /// getStatsForThread: counts and open rate of every tracked email of the thread
    /// (see `TrackingStats` for the definitions); all zero for a thread with none.
    public func getStatsForThread(_ threadId: UUID) async throws -> TrackingStats {
        try Self.stats(from: try await pool.query(
            "SELECT total, sent, delivered, opened, clicked, bounced, open_rate FROM herald_tracking_stats_for_thread($1)",
            [threadId]))
    }

    /// getStatsForMessage: counts and open rate of every tracked email of the message
    /// (see `TrackingStats` for the definitions); all zero for a message with none.
    public func getStatsForMessage(_ messageId: UUID) async throws -> TrackingStats {
        try Self.stats(from: try await pool.query(
            "SELECT total, sent, delivered, opened, clicked, bounced, open_rate FROM herald_tracking_stats_for_message($1)",
            [messageId]))
    }

    private static func stats(from rows: PostgresRows) throws -> TrackingStats {
        guard let row = rows.first else { return .zero }
        return TrackingStats(
            total: try row.decode(Int.self, column: "total"),
            sent: try row.decode(Int.self, column: "sent"),
            delivered: try row.decode(Int.self, column: "delivered"),
            opened: try row.decode(Int.self, column: "opened"),
            clicked: try row.decode(Int.self, column: "clicked"),
            bounced: try row.decode(Int.self, column: "bounced"),
            openRate: try row.decode(Double.self, column: "open_rate"))
    }
}
