public import Foundation
public import Postgres

/// Discussions as operators look at them (the console's Discussions and People pages): threads,
/// their messages with Message-ID and In-Reply-To, and the tracking of every email sent.
public struct DiscussionHistory: Sendable {
    /// A thread in a list.
    public struct ThreadSummary: Sendable, Hashable {
        public var id: UUID
        public var subject: String
        public var emailThreadID: String
        public var createdAt: Date
        /// Messages in the thread.
        public var messages: Int
    }

    /// One thread.
    public struct Thread: Sendable, Hashable {
        public var id: UUID
        public var tenantID: UUID
        public var subject: String
        public var emailThreadID: String
        public var createdAt: Date
    }

    /// A message of a thread.
    public struct Message: Sendable, Hashable {
        public var id: UUID
        /// `app`, `email` …
        public var source: String
        /// The author's name, else address, else user id, else `?`.
        public var author: String
        /// The first 2,000 characters.
        public var body: String
        public var emailMessageID: String?
        public var emailInReplyTo: String?
        public var createdAt: Date
    }

    /// What happened to one discussion email: its `discussion_email_tracking` row (the bounce
    /// reason cut to its first 300 characters) and the subject of its thread.
    public struct TrackedEmail: Sendable, Hashable {
        public var tracking: DiscussionEmailTracking
        /// The thread's subject.
        public var subject: String
    }

    /// Where the rows live.
    public let pool: PostgresPool

    /// A reader over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    private static let summaryColumns = """
        SELECT t.id, t.subject, t.email_thread_id, t.created_at,
               (SELECT count(*) FROM communication_messages m WHERE m.thread_id = t.id) AS messages
          FROM communication_threads t
        """

    /// The 20 newest threads; with `query`, the thread of that id, or those whose email thread id
    /// is `query` or whose subject contains it (case-insensitive), newest first.
    public func threads(matching query: String? = nil) async throws -> [ThreadSummary] {
        let rows: PostgresRows
        if let query, let id = UUID(uuidString: query) {
            rows = try await pool.query(Self.summaryColumns + " WHERE t.id = $1", [id])
        } else if let query {
            rows = try await pool.query(
                Self.summaryColumns + " WHERE t.email_thread_id = $1 OR strpos(lower(t.subject), lower($1)) > 0 ORDER BY t.created_at DESC LIMIT 20",
                [query])
        } else {
            rows = try await pool.query(Self.summaryColumns + " ORDER BY t.created_at DESC LIMIT 20")
        }
        return try rows.map { row in
            ThreadSummary(
                id: try row.decode(UUID.self, column: "id"), subject: try row.decode(String.self, column: "subject"),
                emailThreadID: try row.decode(String.self, column: "email_thread_id"), createdAt: try row.decode(Date.self, column: "created_at"),
                messages: try row.decode(Int.self, column: "messages"))
        }
    }

    /// Thread `id`, or nil.
    public func thread(id: UUID) async throws -> Thread? {
        try await pool.query("SELECT id, tenant_id, subject, email_thread_id, created_at FROM communication_threads WHERE id = $1", [id]).first.map { row in
            Thread(
                id: try row.decode(UUID.self, column: "id"), tenantID: try row.decode(UUID.self, column: "tenant_id"),
                subject: try row.decode(String.self, column: "subject"), emailThreadID: try row.decode(String.self, column: "email_thread_id"),
                createdAt: try row.decode(Date.self, column: "created_at"))
        }
    }

    /// The first 500 messages of thread `id`, oldest first.
    public func messages(thread id: UUID) async throws -> [Message] {
        try await pool.query(
            """
            SELECT id, source, coalesce(author_name, author_email, author_user_id::text, '?') AS author, left(body, 2000) AS body,
                   email_message_id, email_in_reply_to, created_at
              FROM communication_messages WHERE thread_id = $1 ORDER BY created_at, id LIMIT 500
            """, [id]
        ).map { row in
            Message(
                id: try row.decode(UUID.self, column: "id"), source: try row.decode(String.self, column: "source"),
                author: try row.decode(String.self, column: "author"), body: try row.decode(String.self, column: "body"),
                emailMessageID: try row.decode(String?.self, column: "email_message_id"),
                emailInReplyTo: try row.decode(String?.self, column: "email_in_reply_to"), createdAt: try row.decode(Date.self, column: "created_at"))
        }
    }

    private static let trackedColumns = """
        SELECT th.subject, \(DiscussionEmailTracking.qualifiedColumns)
          FROM discussion_email_tracking t JOIN communication_threads th ON th.id = t.thread_id
        """

    /// Every recipient's tracking of the emails of thread `id` (at most 1,000), in the order they were created.
    public func trackedEmails(thread id: UUID) async throws -> [TrackedEmail] {
        try await pool.query(Self.trackedColumns + " WHERE t.thread_id = $1 ORDER BY t.created_at, t.recipient_email LIMIT 1000", [id])
            .map(Self.trackedEmail)
    }

    /// The latest 50 discussion emails sent to `address` (case-insensitive), newest first.
    public func trackedEmails(to address: String) async throws -> [TrackedEmail] {
        try await pool.query(Self.trackedColumns + " WHERE lower(t.recipient_email) = lower($1) ORDER BY t.sent_at DESC NULLS LAST LIMIT 50", [address])
            .map(Self.trackedEmail)
    }

    /// The latest discussion email to `address` (case-insensitive) that bounced, or nil.
    public func latestBounce(to address: String) async throws -> TrackedEmail? {
        try await pool.query(
            Self.trackedColumns + " WHERE lower(t.recipient_email) = lower($1) AND t.bounced_at IS NOT NULL ORDER BY t.bounced_at DESC LIMIT 1",
            [address]
        ).first.map(Self.trackedEmail)
    }

    private static func trackedEmail(_ row: PostgresRow) throws -> TrackedEmail {
        var tracking = try DiscussionEmailTracking(row: row)
        // The first 300 code points, as PostgreSQL's `left` counts them.
        tracking.bounceReason = tracking.bounceReason.map { String(String.UnicodeScalarView($0.unicodeScalars.prefix(300))) }
        return TrackedEmail(tracking: tracking, subject: try row.decode(String.self, column: "subject"))
    }
}
