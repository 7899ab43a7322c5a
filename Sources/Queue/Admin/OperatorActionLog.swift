public import Foundation
public import Postgres

/// The record of what operators did (`herald_console_actions`): who retried, cancelled,
/// released, discarded or un-suppressed what, and why. Rows are only ever added.
///
/// It lives with the queue because every module whose data an operator can change (the queue,
/// notifications, discussions) sees this one; each records its own actions through it.
public struct OperatorActionLog: Sendable {
    /// One recorded action.
    public struct Entry: Sendable, Hashable {
        public var at: Date
        /// Who acted: a console login's user name, or `loopback`.
        public var actor: String
        /// What they did: `retry_job`, `cancel_job`, `retry_failed_jobs`, `remove_suppression`,
        /// `release_inbound`, `discard_inbound`.
        public var action: String
        /// What they did it to: a job id, a kind, an address, an inbound email id.
        public var target: String
        /// The operator's note and what the action changed.
        public var detail: String
    }

    /// Where the log lives.
    public let pool: PostgresPool

    /// A log over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Adds one entry; `detail` is cut to 4,000 characters (the column's limit).
    public func record(actor: String, action: String, target: String, detail: String = "") async throws {
        try await pool.withConnection { try await Self.record(actor: actor, action: action, target: target, detail: detail, on: $0) }
    }

    /// Adds one entry on `connection`, inside whatever transaction it is in (so an action and its
    /// record commit together).
    public static func record(actor: String, action: String, target: String, detail: String = "", on connection: PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO herald_console_actions (actor, action, target, detail) VALUES ($1, $2, $3, $4)",
            [actor, action, target, String(detail.prefix(4000))])
    }

    /// The latest `limit` entries of `action` on `target` (compared lower-cased, as addresses are
    /// recorded), newest first.
    public func entries(action: String, target: String, limit: Int = 20) async throws -> [Entry] {
        try await pool.query(
            """
            SELECT at, actor, action, target, detail FROM herald_console_actions
             WHERE target = lower($1) AND action = $2 ORDER BY at DESC LIMIT $3
            """, [target, action, limit]
        ).map { row in
            Entry(
                at: try row.decode(Date.self, column: "at"), actor: try row.decode(String.self, column: "actor"),
                action: try row.decode(String.self, column: "action"), target: try row.decode(String.self, column: "target"),
                detail: try row.decode(String.self, column: "detail"))
        }
    }
}
