import Foundation
public import Logging
public import Postgres

/// A fresh database per test, cloned from the migrated template that `herald tempdb` (behind
/// `make test`) prepares. Tests never share state and never skip silently: without the harness
/// they fail with a message naming the command to run.
public struct TestDatabase: Sendable {
    /// The cloned database's name.
    public let name: String
    /// How to reach it.
    public let configuration: PostgresConfiguration
    /// The admin database (`postgres`) of the same server.
    public let adminConfiguration: PostgresConfiguration

    /// Why the harness is unusable.
    public struct MissingHarness: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The admin URL from `HERALD_TEST_DATABASE_URL`, or an error that says to run `make test`.
    public static func adminConfiguration() throws -> PostgresConfiguration {
        guard let url = ProcessInfo.processInfo.environment["HERALD_TEST_DATABASE_URL"], !url.isEmpty else {
            throw MissingHarness(description: """
                HERALD_TEST_DATABASE_URL is not set, so there is no PostgreSQL to test against. \
                Run the suite with `make test` (it starts a throwaway PostgreSQL and applies sql/), \
                or `swift build --build-tests && .build/debug/herald tempdb --no-fsync -- swift test --skip-build`.
                """)
        }
        return PostgresConfiguration(connectionString: url, applicationName: "herald-tests")
    }

    /// Creates a new database from the migrated template.
    public static func create(_ label: String = "t") async throws -> TestDatabase {
        let admin = try adminConfiguration()
        let template = ProcessInfo.processInfo.environment["HERALD_TEST_TEMPLATE"] ?? "herald_template"
        let safeLabel = String(label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20))
        let name = "t_\(safeLabel)_\(UUID().uuidString.prefix(8).lowercased())"
        let connection = try await PostgresConnection.connect(configuration: admin)
        do {
            // Identifiers cannot be parameters; both names are built here from safe characters only.
            try await connection.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return TestDatabase(name: name, configuration: admin.withDatabase(name), adminConfiguration: admin)
    }

    /// Drops the database, terminating any connection left open.
    public func drop() async {
        guard let connection = try? await PostgresConnection.connect(configuration: adminConfiguration) else { return }
        try? await connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await connection.close()
    }

    /// Opens a connection to this database.
    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration)
    }

    /// How long a test pool's checkout waits: far beyond the 30 s default, because tests run in
    /// parallel and on a busy machine a test's twenty queries can queue for minutes; the tests
    /// assert what happens, not how fast.
    public static let poolCheckoutTimeout: Duration = .seconds(180)

    /// Makes a pool on this database.
    public func pool(maximumConnections: Int = 8) -> PostgresPool {
        PostgresPool(configuration: configuration, pool: .init(maximumConnections: maximumConnections, checkoutTimeout: Self.poolCheckoutTimeout))
    }
}

/// Runs `body` with a fresh database and drops it afterwards, also when `body` throws. Waits for
/// one of `TestDatabaseSlots.shared` first, so a parallel run cannot exhaust the cluster's connections.
public func withTestDatabase<T: Sendable>(
    _ label: String = "t", _ body: (TestDatabase) async throws -> T
) async throws -> T {
    await TestDatabaseSlots.shared.acquire()
    do {
        let database = try await TestDatabase.create(label)
        let value: T
        do {
            value = try await body(database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
        await TestDatabaseSlots.shared.release()
        return value
    } catch {
        await TestDatabaseSlots.shared.release()
        throw error
    }
}

/// A log handler that keeps lines in memory, for asserting on what was logged.
public final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]
    private let lock = NSLock()
    private var _lines: [(Logger.Level, String, Logger.Metadata)] = []

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        lock.lock()
        _lines.append((event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 }))
        lock.unlock()
    }

    /// The messages logged so far, with their levels and metadata.
    public var lines: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] {
        lock.lock()
        defer { lock.unlock() }
        return _lines.map { (level: $0.0, message: $0.1, metadata: $0.2) }
    }

    /// A logger writing to this handler.
    public func logger(_ label: String = "test") -> Logger {
        Logger(label: label, factory: { _ in self })
    }
}
