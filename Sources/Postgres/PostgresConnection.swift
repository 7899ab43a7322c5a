import CLibPQ
import Dispatch
public import Logging
import Synchronization
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One connection to PostgreSQL, owning its `PGconn`.
///
/// Every libpq call runs on the connection's own serial dispatch queue, never on Swift's
/// cooperative thread pool, so a slow query blocks only this connection's thread.
/// A connection runs one statement at a time; share connections through `PostgresPool`.
///
/// Cancelling the task that awaits `query` or `execute` cancels the statement on the server
/// (SQLSTATE 57014) and the call throws `CancellationError`; the connection stays usable.
public final class PostgresConnection: @unchecked Sendable {
    /// The configuration this connection was opened with.
    public let configuration: PostgresConfiguration
    let logger: Logger
    let queue: DispatchQueue
    // Touched only on `queue`.
    var handle: OpaquePointer?
    private var prepared: [String: String] = [:]
    private let brokenFlag = Atomic<Bool>(false)
    /// False after a statement left the session inside a transaction (open, failed, or unknown).
    private let idleFlag = Atomic<Bool>(true)
    /// What `PQcancel` needs (server address, backend key). Written once on `queue` before
    /// `connect` returns, then only read; freed in deinit.
    var cancelHandle: OpaquePointer?
    /// Cancel requests sent and not yet taken by the server; the next statement waits for them.
    let cancelsInFlight = DispatchGroup()

    /// Prepared statements kept per connection; beyond this, statements run unprepared.
    private static let maxPreparedStatements = 512

    /// False behind a transaction pooler (see `PostgresPoolerMode`).
    private var usesNamedStatements: Bool { configuration.pooler == .none }

    private init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.queue = DispatchQueue(label: "herald.postgres.connection")
    }

    deinit {
        if let handle { PQfinish(handle) }
        if let cancelHandle { PQfreeCancel(cancelHandle) }
    }

    /// Opens a connection, sets the session to UTC and ISO dates, and returns it.
    /// Throws `.connectionFailed` with libpq's reason (never the password).
    public static func connect(
        configuration: PostgresConfiguration, logger: Logger = Logger(label: "herald.postgres")
    ) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration, logger: logger)
        try await connection.onQueue { try connection.openSync() }
        return connection
    }

    /// True once the connection failed at the transport level; a pool discards such connections.
    public var isBroken: Bool { brokenFlag.load(ordering: .relaxed) }

    /// The backend process id, for `pg_terminate_backend` in tests and diagnostics.
    public func backendPID() async throws -> Int32 {
        try await onQueue { () throws -> Int32 in
            guard let handle = self.handle else { throw PostgresError(code: .closed, message: "connection is closed") }
            return PQbackendPID(handle)
        }
    }

    /// Runs one parameterised statement and returns its rows.
    ///
    /// Parameters are sent separately from the SQL text (`$1`, `$2` …), never interpolated.
    /// Statements are prepared once per connection and reused, except behind a transaction
    /// pooler (`PostgresConfiguration.pooler`), where each runs as an unnamed statement.
    ///
    /// Cancelling the calling task while the statement runs cancels it on the server and throws
    /// `CancellationError` (a transaction it ran in is then aborted: roll it back). A task that
    /// is already cancelled when it calls still runs the statement, so cleanup keeps working.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> PostgresRows {
        let values = parameters.map(\.postgresValue)
        return try await runCancellable { try self.querySync(sql, values) }
    }

    /// Runs SQL text with no parameters through the simple query protocol, which allows
    /// several statements at once. For migration files and fixed administrative statements only:
    /// never build this text from input. Cancellation as for `query`.
    public func execute(_ sql: String) async throws {
        try await runCancellable { try self.executeSync(sql) }
    }

    /// `execute` that task cancellation does not stop: for `COMMIT` and `ROLLBACK`, which must
    /// finish once begun.
    func executeToCompletion(_ sql: String) async throws {
        try await onQueue { try self.executeSync(sql) }
    }

    /// Closes the connection. Later calls fail with `.closed`.
    public func close() async {
        try? await onQueue {
            if let handle = self.handle { PQfinish(handle) }
            self.handle = nil
            self.brokenFlag.store(true, ordering: .relaxed)
        }
    }

    /// Checks, without a round trip, whether the server closed the socket (for example after a
    /// restart). Returns false and marks the connection broken when it did.
    public func isAlive() async -> Bool {
        (try? await onQueue { () -> Bool in
            guard let handle = self.handle, PQstatus(handle) == CONNECTION_OK, !self.isBroken else { return false }
            return !self.peerClosedSync(handle)
        }) ?? false
    }

    /// True when the last statement left the session outside any transaction; a pool hands out
    /// only such connections.
    var isIdleOutsideTransaction: Bool { idleFlag.load(ordering: .relaxed) }

    /// Makes the connection fit for the next pool user: an open or failed transaction is rolled
    /// back. Returns false (the pool then discards it) when it is closed, the server closed it,
    /// or it is still not idle afterwards (the ROLLBACK failed, or the state is unknown).
    func resetForReuse() async -> Bool {
        (try? await onQueue { () -> Bool in
            guard let handle = self.handle, PQstatus(handle) == CONNECTION_OK, !self.peerClosedSync(handle) else { return false }
            let status = PQtransactionStatus(handle)
            if status == PQTRANS_IDLE { return true }
            guard status == PQTRANS_INTRANS || status == PQTRANS_INERROR else { return false }
            self.logger.info("rolling back a transaction left open on a connection returned to the pool", metadata: [
                "transaction": "\(status == PQTRANS_INERROR ? "failed" : "open")",
            ])
            do {
                try self.executeSync("ROLLBACK")
            } catch {
                self.logger.info("ROLLBACK of a returned connection failed; discarding it", metadata: ["error": "\(error)"])
                return false
            }
            return PQtransactionStatus(handle) == PQTRANS_IDLE
        }) ?? false
    }

    // MARK: - On the connection's queue

    func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    func openSync() throws {
        guard let handle = PQconnectdb(configuration.libpqConnectionString) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.libpqMessage(handle)
            PQfinish(handle)
            throw PostgresError(code: .connectionFailed, message: "could not connect to PostgreSQL: \(message)")
        }
        // libpq prints NOTICEs to stderr by default; they belong to the server log, not ours.
        // A FATAL outside a query (the server is terminating this backend) arrives as a notice,
        // before the socket closes: mark the connection broken as soon as it is read. The
        // receiver runs only inside libpq calls on this handle, which `self` outlives.
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result, let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))) else { return }
            let text = String(cString: severity)
            if text == "FATAL" || text == "PANIC" {
                Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue().markBroken()
            }
        }, Unmanaged.passUnretained(self).toOpaque())
        self.handle = handle
        cancelHandle = PQgetCancel(handle)
        try executeSync(configuration.sessionSettings)
        guard let keepalives = configuration.serverKeepaliveSettings else { return }
        do {
            try executeSync(keepalives)
        } catch {
            // The connection works without them; only a partitioned client is noticed later.
            logger.debug("server-side keepalives not set", metadata: ["error": "\(error)"])
        }
    }

    /// A readable idle socket means EOF, a FATAL from a terminating server, or a harmless async
    /// message. Consumes until the socket is quiet; EOF shows up as a failed read, a FATAL
    /// through the notice receiver once parsed (`PQisBusy` parses), and either marks the
    /// connection broken.
    private func peerClosedSync(_ handle: OpaquePointer) -> Bool {
        for _ in 0..<8 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                brokenFlag.store(true, ordering: .relaxed)
                return true
            }
            _ = PQisBusy(handle)
            if isBroken { return true }
        }
        return false
    }

    func executeSync(_ sql: String) throws {
        let handle = try liveHandle()
        defer { noteTransactionStatus(handle) }
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql, handle: handle)
    }

    func querySync(_ sql: String, _ values: [PostgresValue]) throws -> PostgresRows {
        let handle = try liveHandle()
        defer { noteTransactionStatus(handle) }
        let count = Int32(values.count)
        var types = values.map { Oid($0.oid) }
        var lengths = values.map { Int32($0.bytes?.count ?? 0) }
        var formats = values.map { $0.format.rawValue }
        // libpq wants C strings (NUL-terminated for text); copy each value once.
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { value in
            guard let bytes = value.bytes else { return nil }
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { pointer.initialize(from: $0.baseAddress!, count: bytes.count) }
            }
            pointer[bytes.count] = 0
            return pointer
        }
        defer { pointers.forEach { $0?.deallocate() } }
        var constPointers = pointers.map { UnsafePointer($0) }

        let key = types.isEmpty ? sql : sql + "\u{0}" + types.map(String.init).joined(separator: ",")
        var statementName = prepared[key]
        // Behind a transaction pooler the next statement may run on another server session, where
        // a named statement is missing (or another client's of the same name exists): unnamed only.
        if statementName == nil, usesNamedStatements, prepared.count < Self.maxPreparedStatements {
            let name = "herald_\(prepared.count)"
            let result = PQprepare(handle, name, sql, count, &types)
            defer { PQclear(result) }
            try check(result, sql: sql, handle: handle)
            prepared[key] = name
            statementName = name
        }
        let result: OpaquePointer?
        if let statementName {
            result = PQexecPrepared(handle, statementName, count, &constPointers, &lengths, &formats, 0)
        } else {
            result = PQexecParams(handle, sql, count, &types, &constPointers, &lengths, &formats, 0)
        }
        defer { PQclear(result) }
        try check(result, sql: sql, handle: handle)
        return Self.rows(from: result!)
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(code: .closed, message: "connection is closed") }
        return handle
    }

    private func check(_ result: OpaquePointer?, sql: String, handle: OpaquePointer) throws {
        guard let result else {
            markBrokenIfNeeded(handle)
            throw PostgresError(code: .connectionFailed, message: Self.libpqMessage(handle), query: sql)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            markBrokenIfNeeded(handle)
            var error = Self.serverError(result, handle: handle)
            error.query = sql
            if PQstatus(handle) != CONNECTION_OK { error.code = .connectionFailed }
            throw error
        }
    }

    private func noteTransactionStatus(_ handle: OpaquePointer) {
        idleFlag.store(PQtransactionStatus(handle) == PQTRANS_IDLE, ordering: .relaxed)
    }

    /// Marks the connection unusable; a pool discards it on release.
    func markBroken() {
        brokenFlag.store(true, ordering: .relaxed)
    }

    private func markBrokenIfNeeded(_ handle: OpaquePointer) {
        if PQstatus(handle) != CONNECTION_OK {
            brokenFlag.store(true, ordering: .relaxed)
            // A new connection has none of our prepared statements.
            prepared.removeAll()
        }
    }

    static func serverError(_ result: OpaquePointer, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? libpqMessage(handle)
        return PostgresError(
            code: .server, message: message, sqlState: field("C"), detail: field("D"), hint: field("H"),
            constraintName: field("n"), tableName: field("t"), columnName: field("c"))
    }

    static func libpqMessage(_ handle: OpaquePointer) -> String {
        guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func rows(from result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        var types: [UInt32] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(String(cString: PQfname(result, Int32(column))))
            types.append(UInt32(PQftype(result, Int32(column))))
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                    let pointer = PQgetvalue(result, Int32(row), Int32(column))!
                    cells.append(pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    })
                }
            }
        }
        var affected = rowCount
        if let tag = PQcmdTuples(result), let number = Int(String(cString: tag)) { affected = number }
        return PostgresRows(columns: columns, columnTypes: types, count: rowCount, affectedRows: affected, cells: cells)
    }
}
