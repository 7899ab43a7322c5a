/// An error from the PostgreSQL layer.
///
/// `description` is safe to log: it carries the SQLSTATE, the server's message, detail and
/// constraint name, but never the query text or its parameters. Those are kept in
/// `debugDescription` only.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connectionFailed, server, decoding, closed, poolTimeout, invalidConfiguration
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection could not be established or was lost.
        public static let connectionFailed = Code(.connectionFailed)
        /// The server answered with an error (see `sqlState`).
        public static let server = Code(.server)
        /// A value could not be decoded into the requested Swift type, or was NULL unexpectedly.
        public static let decoding = Code(.decoding)
        /// The connection or pool was closed.
        public static let closed = Code(.closed)
        /// No pooled connection became free in time.
        public static let poolTimeout = Code(.poolTimeout)
        /// The connection string or settings are unusable.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The primary message (from the server, libpq, or this wrapper).
    public var message: String
    /// The five-character SQLSTATE, when the server sent one (e.g. `23505` unique violation).
    public var sqlState: String?
    /// The server's DETAIL line.
    public var detail: String?
    /// The server's HINT line.
    public var hint: String?
    /// The violated constraint's name, for integrity errors.
    public var constraintName: String?
    /// The table the error concerns, when the server says.
    public var tableName: String?
    /// The column the error concerns, when the server or decoder says.
    public var columnName: String?
    /// The statement that failed; never part of `description`.
    public var query: String?

    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraintName: String? = nil, tableName: String? = nil, columnName: String? = nil, query: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraintName = constraintName
        self.tableName = tableName
        self.columnName = columnName
        self.query = query
    }

    /// True when the connection that produced this error can no longer be used
    /// (connection errors, SQLSTATE class 08, admin shutdown 57P01…57P03).
    public var isConnectionError: Bool {
        if code == .connectionFailed || code == .closed { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    /// True for a unique-constraint violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String {
        var text = "PostgresError(\(code)"
        if let sqlState { text += ", sqlstate \(sqlState)" }
        text += "): \(message)"
        if let detail { text += " — \(detail)" }
        if let constraintName { text += " [constraint \(constraintName)]" }
        if let columnName, code == .decoding { text += " [column \(columnName)]" }
        return text
    }

    public var debugDescription: String {
        var text = description
        if let hint { text += "\nhint: \(hint)" }
        if let query { text += "\nquery: \(query)" }
        return text
    }
}
