public import Foundation
public import Postgres

/// One-click unsubscribe from digest emails (RFC 8058): sets the user's `digest_frequency` to
/// `never`. Idempotent: unsubscribing twice leaves the same row and answers the same.
public struct DigestUnsubscriber: Sendable {
    /// What an unsubscribe did.
    public enum Outcome: Sendable, Equatable {
        /// The user now gets no digest (whether or not they already had `never`).
        case unsubscribed
        /// No preferences row for the user (Herald never sent them a digest).
        case unknownUser
    }

    /// Where the preferences live.
    public let pool: PostgresPool

    /// An unsubscriber over `pool`.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Sets `userID`'s digest to `never`.
    public func unsubscribe(userID: UUID) async throws -> Outcome {
        let rows = try await pool.query(
            "UPDATE notification_preferences SET digest_frequency = 'never' WHERE user_id = $1 RETURNING user_id", [userID])
        return rows.count == 0 ? .unknownUser : .unsubscribed
    }
}
