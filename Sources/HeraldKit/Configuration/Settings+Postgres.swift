public import Postgres

extension Settings {
    /// The variables that tune every database connection, with the property each one sets.
    nonisolated(unsafe) static let connectionTuning: [(name: String, keyPath: WritableKeyPath<PostgresConfiguration, Int>)] = [
        ("HERALD_DB_KEEPALIVES_IDLE", \.keepaliveIdleSeconds),
        ("HERALD_DB_KEEPALIVES_INTERVAL", \.keepaliveIntervalSeconds),
        ("HERALD_DB_KEEPALIVES_COUNT", \.keepaliveCount),
        ("HERALD_DB_TCP_USER_TIMEOUT_MS", \.tcpUserTimeoutMilliseconds),
    ]

    /// `HERALD_DATABASE_URL`, then `DATABASE_URL`; nil when neither is set.
    public var databaseURL: String? { first("HERALD_DATABASE_URL", "DATABASE_URL")?.value }

    /// A connection to `connectionString` with the tuning of `HERALD_DB_KEEPALIVES_IDLE`,
    /// `HERALD_DB_KEEPALIVES_INTERVAL`, `HERALD_DB_KEEPALIVES_COUNT` and
    /// `HERALD_DB_TCP_USER_TIMEOUT_MS` (each a whole number from 0 to 2³¹−1; 0: the operating
    /// system's default) and the pooler mode of `HERALD_DATABASE_POOLER` unless `pooler` is given.
    public func postgres(
        connectionString: String, applicationName: String = "herald", pooler: PostgresPoolerMode? = nil
    ) throws(SettingsError) -> PostgresConfiguration {
        var configuration = PostgresConfiguration(connectionString: connectionString, applicationName: applicationName)
        for (name, keyPath) in Self.connectionTuning {
            if let value = try int(name, expected: "a non-negative whole number", where: { (0...Int(Int32.max)).contains($0) }) {
                configuration[keyPath: keyPath] = value
            }
        }
        if let pooler {
            configuration.pooler = pooler
        } else {
            configuration.pooler = try databasePooler()
        }
        return configuration
    }

    /// `HERALD_DATABASE_POOLER`: `none` (the default) or `transaction`.
    public func databasePooler() throws(SettingsError) -> PostgresPoolerMode {
        do {
            return try PostgresPoolerMode.parse(string("HERALD_DATABASE_POOLER"), variable: "HERALD_DATABASE_POOLER")
        } catch {
            throw SettingsError("HERALD_DATABASE_POOLER", error.message)
        }
    }
}
