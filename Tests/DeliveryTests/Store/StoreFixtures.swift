import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Testing

/// Rows the store tests build on, inserted with plain SQL as the main application would.
enum StoreFixtures {
    static func thread(_ connection: PostgresConnection, tenantId: UUID = UUID(), subject: String = "Kitchen remodel") async throws -> UUID {
        try await connection.query(
            "INSERT INTO communication_threads (tenant_id, subject) VALUES ($1, $2) RETURNING id", [tenantId, subject]
        )[0].decode(UUID.self, column: "id")
    }

    @discardableResult
    static func message(_ connection: PostgresConnection, threadId: UUID, source: String = "app", body: String = "Hello") async throws -> UUID {
        try await connection.query(
            """
            INSERT INTO communication_messages (thread_id, author_user_id, author_email, body, source)
            VALUES ($1, $2, $3, $4, $5) RETURNING id
            """,
            [threadId, UUID(), source == "email" ? "client@example.com" : nil, body, source]
        )[0].decode(UUID.self, column: "id")
    }

    /// A tracking row with a fixed-format pixel id; returns the pixel id.
    @discardableResult
    static func tracking(
        _ connection: PostgresConnection, threadId: UUID, messageId: UUID, email: String,
        type: String = "client_contact", sentAt: Date? = nil
    ) async throws -> String {
        try await connection.query(
            """
            INSERT INTO discussion_email_tracking (thread_id, message_id, recipient_email, recipient_type, sent_at)
            VALUES ($1, $2, $3, $4, $5) RETURNING tracking_pixel_id
            """,
            [threadId, messageId, email, type, sentAt]
        )[0].decode(String.self, column: "tracking_pixel_id")
    }

    /// Runs a statement that the database must refuse with `constraint`; returns the error.
    @discardableResult
    static func expectRefused(
        _ connection: PostgresConnection, constraint: String, sqlState: String = "23514",
        _ sql: String, _ parameters: [any PostgresBindable] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) async -> PostgresError? {
        do {
            try await connection.query(sql, parameters)
            Issue.record("expected constraint \(constraint) to refuse the row, but it was accepted", sourceLocation: sourceLocation)
            return nil
        } catch let error as PostgresError {
            #expect(error.constraintName == constraint, "\(error)", sourceLocation: sourceLocation)
            #expect(error.sqlState == sqlState, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Whole-second dates in a row, so values survive the microsecond round trip exactly.
    static func date(_ offset: Double) -> Date {
        Date(timeIntervalSince1970: 1_767_225_600 + offset)
    }
}
