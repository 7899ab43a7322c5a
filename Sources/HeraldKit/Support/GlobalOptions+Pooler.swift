import ArgumentParser
import Foundation
import Postgres

/// Where a process's database connections go.
///
/// Behind a transaction pooler (PgBouncer `pool_mode = transaction`) only the pooled work and
/// HTTP connections go through it; what needs a server session of its own goes straight to
/// PostgreSQL: LISTEN (notifications are delivered to the session that listens), the leader's
/// connection (kept open for the whole leadership) and migrations (a session advisory lock).
struct DatabaseEndpoints: Sendable {
    /// The pools' connections: jobs, HTTP requests.
    var pooled: PostgresConfiguration
    /// `HERALD_DIRECT_DATABASE_URL`, when set.
    var direct: PostgresConfiguration?

    /// The connection for session-bound work: `direct`, or `pooled` without a pooler.
    var session: PostgresConfiguration { direct ?? pooled }
}

extension GlobalOptions {
    /// `databaseConfiguration` (the pooler mode applied), plus the direct connection from
    /// `--direct-database-url` / `HERALD_DIRECT_DATABASE_URL`, which never goes through a pooler.
    ///
    /// - Parameter needsSession: the process LISTENs, elects a leader or migrates; then a
    ///   transaction pooler without a direct URL is an error that says why.
    func databaseEndpoints(
        applicationName: String = "herald", needsSession: Bool, settings: Settings = .process
    ) throws -> DatabaseEndpoints {
        let pooled = try databaseConfiguration(applicationName: applicationName, settings: settings)
        var direct: PostgresConfiguration?
        let flagURL = directDatabaseURL.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        if let url = flagURL ?? settings.string("HERALD_DIRECT_DATABASE_URL") {
            do {
                direct = try settings.postgres(connectionString: url, applicationName: applicationName, pooler: PostgresPoolerMode.none)
            } catch {
                throw ValidationError(error.message)
            }
        }
        if needsSession, pooled.pooler == .transaction, direct == nil {
            throw ValidationError("""
                HERALD_DATABASE_POOLER=transaction needs HERALD_DIRECT_DATABASE_URL (or --direct-database-url): \
                LISTEN, the maintenance leader's connection and the migrations' advisory lock need a server session \
                of their own, which a transaction pooler does not keep. Point it at PostgreSQL itself, not at the pooler.
                """)
        }
        return DatabaseEndpoints(pooled: pooled, direct: direct)
    }
}

extension GlobalOptions {
    /// `--database-pooler`, then `HERALD_DATABASE_POOLER`; unset is `none`.
    func poolerMode(settings: Settings) throws(SettingsError) -> PostgresPoolerMode {
        guard let databasePooler else { return try settings.databasePooler() }
        do {
            return try PostgresPoolerMode.parse(databasePooler, variable: "--database-pooler")
        } catch {
            throw SettingsError("--database-pooler", error.message)
        }
    }
}
