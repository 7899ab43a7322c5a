import Foundation

/// What sits between Herald and PostgreSQL, as far as session state is concerned.
///
/// A transaction pooler such as PgBouncer in `pool_mode = transaction` hands each transaction
/// (each statement outside one) to whichever server connection is free. State that lives on a
/// server session (named prepared statements, `SET` parameters, `LISTEN`, session advisory locks)
/// is then not where the next statement runs. PgBouncer 1.18 has no protocol-level
/// prepared-statement support (that arrived in 1.21), so a statement prepared through one server
/// connection is "does not exist" on another, or "already exists" on one another client prepared.
public enum PostgresPoolerMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A direct connection, or a session pooler: a client keeps its server session. The default.
    case none
    /// A transaction pooler: statements run unnamed (`PQexecParams`), and a new connection sets
    /// only `TimeZone` and `DateStyle`, the two parameters of Herald's that PgBouncer tracks per
    /// client and re-applies on every server connection it links (with `client_encoding`,
    /// `standard_conforming_strings` and `application_name`). The statement timeout becomes a
    /// cancel request Herald sends itself; server-side keepalives are left to the pooler.
    case transaction

    /// Parses `none` or `transaction` (case-insensitive, surrounding blanks ignored); blank means `none`.
    /// Throws `.invalidConfiguration` naming `variable` for anything else.
    public static func parse(_ text: String?, variable: String = "HERALD_DATABASE_POOLER") throws(PostgresError) -> PostgresPoolerMode {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.isEmpty { return .none }
        guard let mode = PostgresPoolerMode(rawValue: trimmed) else {
            throw PostgresError(
                code: .invalidConfiguration,
                message: "\(variable)=\(text ?? "") is not a pooler mode: use none (direct or session pooling) or transaction (PgBouncer pool_mode = transaction)")
        }
        return mode
    }

    public var description: String { rawValue }
}
