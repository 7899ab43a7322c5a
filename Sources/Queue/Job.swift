public import Foundation
public import Postgres

/// The lifecycle states of a row in `herald_jobs`.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case available, scheduled, running, retryable, completed, failed, cancelled

    /// States in which a job still has work ahead: at most one job per `unique_key` is in one of
    /// them (`herald_jobs_unique_key_idx`). Herald's one definition of the live states; SQL
    /// written in Swift uses ``liveSQLList``.
    public static let live: [JobState] = [.available, .scheduled, .running, .retryable]

    /// ``live`` as an SQL list, `('available', 'scheduled', 'running', 'retryable')`, spelled as
    /// the partial indexes spell it so the planner can use them. Built from constants only.
    public static let liveSQLList = "(" + live.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
}

/// A claimed job as a handler sees it.
public struct Job: Sendable {
    public var id: Int64
    public var kind: String
    public var queue: String
    /// 0 urgent … 3 low.
    public var priority: Int
    /// The job's arguments (a JSON object).
    public var args: PostgresJSON
    /// This attempt's number, starting at 1.
    public var attempt: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var createdAt: Date

    public init(id: Int64, kind: String, queue: String, priority: Int, args: PostgresJSON, attempt: Int, maxAttempts: Int,
                runAt: Date, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.queue = queue
        self.priority = priority
        self.args = args
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.createdAt = createdAt
    }

    /// Decodes the arguments into a `Decodable` type.
    public func decodeArgs<T: Decodable>(_ type: T.Type = T.self) throws -> T { try args.decode(T.self) }

    /// True when a failure of this attempt would be the last one.
    public var isLastAttempt: Bool { attempt >= maxAttempts }
}

/// One past failure, as stored in `herald_jobs.errors`.
public struct JobErrorRecord: Sendable, Codable, Hashable {
    public var attempt: Int
    public var at: String
    public var error: String
    public var worker: String?
}
