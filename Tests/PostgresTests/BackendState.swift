import Postgres

/// The `pg_stat_activity.state` of `connection`'s backend, read by `observer` right after a
/// statement on `connection`: `idle` outside a transaction, `idle in transaction` (or
/// `… (aborted)`) inside one. The server records it before it answers, so there is no race.
func backendStateAfterAStatement(_ connection: PostgresConnection, observer: PostgresConnection) async throws -> String {
    let pid = try await connection.backendPID()
    try await connection.query("SELECT 1")
    return try await observer.query("SELECT state FROM pg_stat_activity WHERE pid = $1", [pid])[0].decode(String.self, at: 0)
}
