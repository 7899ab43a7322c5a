public import Foundation

/// How to reach a PostgreSQL server.
///
/// Accepts either a URL (`postgres://user:pass@host:5432/db?sslmode=require`) or a libpq
/// key/value conninfo string (`host=… dbname=…`); both are handed to libpq unchanged, with
/// `connect_timeout` and `application_name` added when they are not already present.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// The URL or conninfo string as given.
    public var connectionString: String
    /// Seconds libpq waits for a connection before giving up. Default 10.
    public var connectTimeout: Int
    /// Shown in `pg_stat_activity.application_name`. Default `herald`.
    public var applicationName: String
    /// The server cancels any statement of these connections that runs longer (SQLSTATE 57014,
    /// `statement_timeout`, set when a connection opens). Default nil: no limit beyond the
    /// server's own setting. `herald serve` sets it to its request timeout, so a slow query is
    /// stopped when its HTTP request gives up instead of holding the connection.
    public var statementTimeout: Duration?

    public init(connectionString: String, connectTimeout: Int = 10, applicationName: String = "herald", statementTimeout: Duration? = nil) {
        self.connectionString = connectionString
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.statementTimeout = statementTimeout
    }

    /// The `SET` statements a new connection runs: fixed formats Herald's decoding relies on, and
    /// the statement timeout (an integer of milliseconds, never text from outside).
    var sessionSettings: String {
        var settings = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3"
        if let statementTimeout {
            let milliseconds = max(1, Int64(statementTimeout.components.seconds) * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000)
            settings += "; SET statement_timeout = \(milliseconds)"
        }
        return settings
    }

    /// Reads `HERALD_DATABASE_URL`, falling back to `DATABASE_URL`.
    /// Returns nil when neither is set or both are empty.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        applicationName: String = "herald"
    ) -> PostgresConfiguration? {
        for key in ["HERALD_DATABASE_URL", "DATABASE_URL"] {
            if let value = environment[key], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                return PostgresConfiguration(connectionString: value, applicationName: applicationName)
            }
        }
        return nil
    }

    /// True for `postgres://` and `postgresql://` URLs.
    public var isURL: Bool {
        connectionString.hasPrefix("postgres://") || connectionString.hasPrefix("postgresql://")
    }

    /// The string passed to `PQconnectdb`: the original plus defaults for timeout and name.
    var libpqConnectionString: String {
        var extra: [(String, String)] = []
        if !connectionString.contains("connect_timeout") { extra.append(("connect_timeout", String(connectTimeout))) }
        if !connectionString.contains("application_name") { extra.append(("application_name", applicationName)) }
        guard !extra.isEmpty else { return connectionString }
        if isURL {
            let separator = connectionString.contains("?") ? "&" : "?"
            let query = extra.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
            return connectionString + separator + query
        }
        let pairs = extra.map { "\($0.0)='\($0.1.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'" }
        return ([connectionString] + pairs).joined(separator: " ")
    }

    /// The same server with another database name.
    public func withDatabase(_ name: String) -> PostgresConfiguration {
        var copy = self
        if isURL, var components = URLComponents(string: connectionString) {
            components.path = "/" + name
            copy.connectionString = components.string ?? connectionString
        } else {
            copy.connectionString = connectionString + " dbname='\(name)'"
        }
        return copy
    }

    /// The connection string with any password replaced by `***`, safe for logs.
    public var redacted: String {
        if isURL, var components = URLComponents(string: connectionString) {
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://***"
        }
        return connectionString.replacingOccurrences(
            of: #"password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, with: "password=***", options: .regularExpression)
    }

    /// ``redacted``, then masked once more for what it cannot parse: the user-info password of a URL
    /// that `URLComponents` rejects (several hosts) and a `password=` query parameter.
    public var description: String {
        redacted
            .replacingOccurrences(of: #"(://[^:/?#@\s]*:)[^/?#\s]*@"#, with: "$1***@", options: .regularExpression)
            .replacingOccurrences(of: #"([?&]password=)[^&#\s]*"#, with: "$1***", options: [.regularExpression, .caseInsensitive])
    }

    private static func percentEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
