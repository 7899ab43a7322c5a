import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Testing

/// Helpers of the store tests (the rows themselves come from `DiscussionFixtures`).
enum StoreFixtures {
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
