import Foundation

/// How to reach a PostgreSQL server.
///
/// Accepts either a URL (`postgres://user:pass@host:5432/db?sslmode=require`) or a libpq
/// key/value conninfo string (`host=… dbname=…`); both are handed to libpq unchanged, with
/// `connect_timeout`, `application_name` and the TCP keepalive parameters (`keepalives`,
/// `keepalives_idle`, `keepalives_interval`, `keepalives_count`, `tcp_user_timeout`) added when
/// the string does not already set them.
///
/// Keepalives make a silently dead peer (a network partition, a host that lost power) an error
/// within about `keepaliveIdleSeconds + keepaliveIntervalSeconds × keepaliveCount` seconds when
/// the connection is idle, and within `tcpUserTimeoutMilliseconds` when data sent is not
/// acknowledged, instead of a hang that lasts until the operating system gives up (minutes to
/// hours). The same values are set on the server side of each connection (the `tcp_keepalives_*`
/// and `tcp_user_timeout` settings), so the server also drops a dead client and releases its
/// locks, including a dead leader's advisory lock. A value of 0 means the operating system's default.
public struct PostgresConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
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
    /// Seconds a connection is idle before the first keepalive probe (`keepalives_idle`). Default 10.
    public var keepaliveIdleSeconds: Int
    /// Seconds between unanswered keepalive probes (`keepalives_interval`). Default 5.
    public var keepaliveIntervalSeconds: Int
    /// Unanswered probes after which the connection is considered dead (`keepalives_count`). Default 3.
    public var keepaliveCount: Int
    /// Milliseconds sent data may stay unacknowledged before the connection is considered dead
    /// (`tcp_user_timeout`, Linux). Default 30 000.
    public var tcpUserTimeoutMilliseconds: Int
    /// What the connection string points at: PostgreSQL (or a session pooler), or a transaction
    /// pooler, which rules out named prepared statements and session `SET`s. Default `.none`.
    public var pooler: PostgresPoolerMode

    public init(
        connectionString: String, connectTimeout: Int = 10, applicationName: String = "herald", statementTimeout: Duration? = nil,
        keepaliveIdleSeconds: Int = 10, keepaliveIntervalSeconds: Int = 5, keepaliveCount: Int = 3, tcpUserTimeoutMilliseconds: Int = 30_000,
        pooler: PostgresPoolerMode = .none
    ) {
        self.pooler = pooler
        self.connectionString = connectionString
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.statementTimeout = statementTimeout
        self.keepaliveIdleSeconds = keepaliveIdleSeconds
        self.keepaliveIntervalSeconds = keepaliveIntervalSeconds
        self.keepaliveCount = keepaliveCount
        self.tcpUserTimeoutMilliseconds = tcpUserTimeoutMilliseconds
    }

    /// The `SET` statements a new connection runs: fixed formats Herald's decoding relies on, and
    /// the statement timeout (an integer of milliseconds, never text from outside).
    ///
    /// Behind a transaction pooler only `TimeZone` and `DateStyle` are set: PgBouncer tracks
    /// both per client (from the server's ParameterStatus messages) and sets them again on each
    /// server connection it links to this client, so they hold for every statement. Any other
    /// `SET` would stay behind on whichever server connection ran it, lost to us and leaked to the
    /// pooler's next client. `extra_float_digits` is not needed there: since PostgreSQL 12 its
    /// default (1) already gives exact, shortest round-trip floats. The statement timeout is
    /// enforced by a cancel request from this side instead (see `clientStatementTimeout`).
    var sessionSettings: String {
        let formats = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'"
        guard pooler == .none else { return formats }
        var settings = formats + "; SET extra_float_digits = 3"
        if let milliseconds = statementTimeoutMilliseconds {
            settings += "; SET statement_timeout = \(milliseconds)"
        }
        return settings
    }

    /// `statementTimeout` in whole milliseconds (at least 1), or nil.
    private var statementTimeoutMilliseconds: Int64? {
        guard let statementTimeout else { return nil }
        return max(1, Int64(statementTimeout.components.seconds) * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The timeout the connection enforces itself, by sending a cancel request when a statement
    /// runs longer: behind a transaction pooler, where `SET statement_timeout` would not stick.
    /// Nil when the server enforces it (no pooler) or there is none.
    var clientStatementTimeout: Duration? {
        pooler == .transaction ? statementTimeout : nil
    }

    /// The server side of the keepalives: the server probes an idle client and gives up on
    /// unacknowledged data with the same values, so a partitioned client's backend ends (and its
    /// locks go) instead of waiting for the operating system. Integers from this configuration only.
    /// Run apart from `sessionSettings`: a server that cannot set them (a Unix socket ignores
    /// them; an old server or a pooler may refuse them) still gets a usable connection.
    /// Nil behind a transaction pooler: the client side of a pooled connection is PgBouncer's
    /// (its own `tcp_keepalive*` settings guard its server connections), and a `SET` would not stick.
    var serverKeepaliveSettings: String? {
        guard pooler == .none else { return nil }
        return "SET tcp_keepalives_idle = \(keepaliveIdleSeconds); SET tcp_keepalives_interval = \(keepaliveIntervalSeconds); "
            + "SET tcp_keepalives_count = \(keepaliveCount); SET tcp_user_timeout = \(tcpUserTimeoutMilliseconds)"
    }

    /// True for `postgres://` and `postgresql://` URLs.
    public var isURL: Bool {
        connectionString.hasPrefix("postgres://") || connectionString.hasPrefix("postgresql://")
    }

    /// The string passed to `PQconnectdb`: the original plus defaults for the timeout, the name
    /// and the keepalives, each only when the original does not set it.
    var libpqConnectionString: String {
        let defaults: [(String, String)] = [
            ("connect_timeout", String(connectTimeout)),
            ("application_name", applicationName),
            ("keepalives", "1"),
            ("keepalives_idle", String(keepaliveIdleSeconds)),
            ("keepalives_interval", String(keepaliveIntervalSeconds)),
            ("keepalives_count", String(keepaliveCount)),
            ("tcp_user_timeout", String(tcpUserTimeoutMilliseconds)),
        ]
        let extra = defaults.filter { !setsParameter($0.0) }
        guard !extra.isEmpty else { return connectionString }
        if isURL {
            let separator = connectionString.contains("?") ? "&" : "?"
            let query = extra.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
            return connectionString + separator + query
        }
        let pairs = extra.map { "\($0.0)='\($0.1.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'" }
        return ([connectionString] + pairs).joined(separator: " ")
    }

    /// True when the connection string itself sets libpq parameter `key` (a URL query item, or a
    /// `key=value` pair of a conninfo string); `keepalives` does not match `keepalives_idle`.
    func setsParameter(_ key: String) -> Bool {
        if isURL {
            return URLComponents(string: connectionString)?.queryItems?.contains { $0.name == key } ?? false
        }
        return connectionString.range(of: #"(^|\s)"# + key + #"\s*="#, options: .regularExpression) != nil
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

    /// Same as ``description``: the password is masked here too.
    public var debugDescription: String { description }

    /// The settings with the connection string as ``description`` masks it, so `dump(_:)` of the
    /// configuration, or of anything holding it, cannot print the password either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "connectionString": description, "connectTimeout": connectTimeout, "applicationName": applicationName,
                "statementTimeout": statementTimeout.map { "\($0)" } ?? "none", "keepaliveIdleSeconds": keepaliveIdleSeconds,
                "keepaliveIntervalSeconds": keepaliveIntervalSeconds, "keepaliveCount": keepaliveCount,
                "tcpUserTimeoutMilliseconds": tcpUserTimeoutMilliseconds, "pooler": pooler,
            ],
            displayStyle: .struct)
    }

    private static func percentEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
