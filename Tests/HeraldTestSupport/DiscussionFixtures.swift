public import Foundation
public import Postgres

/// Something that runs a statement: a pool or one connection (inside a transaction).
public protocol FixtureDatabase: Sendable {
    func query(_ sql: String, _ parameters: [any PostgresBindable]) async throws -> PostgresRows
}

extension PostgresPool: FixtureDatabase {}
extension PostgresConnection: FixtureDatabase {}

/// Discussion rows written with plain SQL, as the main application writes them: the one place
/// every test target takes its threads, participants, messages and tracking rows from.
public enum DiscussionFixtures {
    /// A `communication_threads` row; returns its id.
    public static func thread(
        _ database: some FixtureDatabase, id: UUID = UUID(), tenant: UUID = UUID(), subject: String? = "Kickoff"
    ) async throws -> UUID {
        try await database.query(
            "INSERT INTO communication_threads (id, tenant_id, subject) VALUES ($1, $2, $3) RETURNING id", [id, tenant, subject]
        )[0].decode(UUID.self, column: "id")
    }

    /// A `communication_thread_participants` row; returns its `reply_token`.
    @discardableResult
    public static func participant(
        _ database: some FixtureDatabase, thread: UUID, email: String, name: String? = nil,
        type: String = "client_contact", userID: UUID? = nil
    ) async throws -> String {
        try await database.query(
            """
            INSERT INTO communication_thread_participants (thread_id, email, name, recipient_type, user_id)
            VALUES ($1, $2, $3, $4, $5) RETURNING reply_token
            """,
            [thread, email, name, type, userID]
        )[0].decode(String.self, column: "reply_token")
    }

    /// A `communication_messages` row; returns its id. An `email` source gets a client author address.
    @discardableResult
    public static func message(
        _ database: some FixtureDatabase, id: UUID = UUID(), thread: UUID, source: String = "app", body: String = "Hello",
        author: UUID? = UUID()
    ) async throws -> UUID {
        try await database.query(
            """
            INSERT INTO communication_messages (id, thread_id, author_user_id, author_email, body, source)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """,
            [id, thread, author, source == "email" ? "client@example.com" : nil, body, source]
        )[0].decode(UUID.self, column: "id")
    }

    /// A `discussion_email_tracking` row with the table's own pixel id; returns the pixel id.
    @discardableResult
    public static func tracking(
        _ database: some FixtureDatabase, thread: UUID, message: UUID, email: String,
        type: String = "client_contact", sentAt: Date? = nil
    ) async throws -> String {
        try await database.query(
            """
            INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, sent_at)
            VALUES ($1, $2, $3, $4, $5) RETURNING tracking_pixel_id
            """,
            [thread, message, email, type, sentAt]
        )[0].decode(String.self, column: "tracking_pixel_id")
    }
}
