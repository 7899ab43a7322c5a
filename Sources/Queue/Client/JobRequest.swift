public import Foundation
public import Postgres

/// A job to enqueue.
public struct JobRequest: Sendable {
    /// Which handler runs it.
    public var kind: String
    /// Arguments, a JSON object.
    public var args: PostgresJSON
    /// Queue name; each queue has its own concurrency. Default `default`.
    public var queue: String
    /// 0 urgent … 3 low. Default 2.
    public var priority: Int
    /// Not before this time. Default: now.
    public var runAt: Date?
    /// At most one live job per key; a duplicate enqueue is a no-op.
    public var uniqueKey: String?
    /// Attempts before the job is `failed`. Default 20.
    public var maxAttempts: Int

    public init(
        kind: String, args: PostgresJSON = PostgresJSON("{}"), queue: String = "default", priority: Int = 2,
        runAt: Date? = nil, uniqueKey: String? = nil, maxAttempts: Int = 20
    ) {
        self.kind = kind
        self.args = args
        self.queue = queue
        self.priority = priority
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.maxAttempts = maxAttempts
    }

    /// Encodes `args` from an `Encodable` value.
    public init<Args: Encodable>(
        kind: String, encoding args: Args, queue: String = "default", priority: Int = 2, runAt: Date? = nil,
        uniqueKey: String? = nil, maxAttempts: Int = 20
    ) throws {
        self.init(kind: kind, args: try PostgresJSON(encoding: args), queue: queue, priority: priority, runAt: runAt,
                  uniqueKey: uniqueKey, maxAttempts: maxAttempts)
    }

    /// Checks what the database would refuse, with a message that says what to fix.
    public func validate() throws {
        guard !kind.isEmpty, kind.utf8.count <= 128 else { throw QueueError(.invalidJob, "kind must be 1 to 128 bytes, got \(kind.utf8.count)") }
        guard !queue.isEmpty, queue.utf8.count <= 64 else { throw QueueError(.invalidJob, "queue must be 1 to 64 bytes") }
        guard (0...3).contains(priority) else { throw QueueError(.invalidJob, "priority must be 0 (urgent) to 3 (low), got \(priority)") }
        guard maxAttempts >= 1 else { throw QueueError(.invalidJob, "max_attempts must be at least 1, got \(maxAttempts)") }
    }
}
