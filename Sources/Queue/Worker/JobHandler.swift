public import Foundation

/// What a handler decides about the job it ran.
public enum JobResult: Sendable, Equatable {
    /// Done; the job becomes `completed`.
    case completed
    /// Failed this time; retry at `at` (nil: exponential backoff). Counts as an attempt and records
    /// `reason` in the error history; after `max_attempts` the job is `failed`.
    case retry(reason: String, at: Date? = nil)
    /// Failed for good, whatever attempts remain (invalid address, unknown recipient …).
    case fail(reason: String)
    /// Not now: run again after `delay` without counting this attempt.
    case snooze(Duration)
    /// Nothing to do any more; the job becomes `cancelled`.
    case cancel(reason: String)
}

/// Runs jobs of one kind, with their arguments decoded.
///
/// The worker decodes the job's `args` into ``Args`` once, before ``handle(_:args:)`` runs.
/// Arguments that do not decode fail the job at once, with one message shape for every kind:
/// `invalid args for kind 'email.send': missing key "notification_id"` (see ``JobArguments``).
///
/// Returning normally means `completed`; return another `JobResult` to decide otherwise. A thrown
/// error is a retryable failure with backoff, except `PermanentJobError` (and errors conforming to
/// `JobErrorClassifying` that say so), which fail the job at once.
public protocol JobHandler: Sendable {
    /// The arguments of this kind; ``UndecodedArgs`` for a handler that reads `job.args` itself.
    associatedtype Args: JobArguments
    /// The `kind` this handler runs.
    var kind: String { get }
    /// Longest a single attempt may run; nil uses the worker's default.
    var timeout: Duration? { get }
    /// Runs one attempt with the job's decoded arguments.
    func handle(_ job: Job, args: Args) async throws -> JobResult
}

extension JobHandler {
    public var timeout: Duration? { nil }

    /// Decodes the job's arguments and runs one attempt: what the worker calls.
    ///
    /// - Throws: `PermanentJobError` `invalid args for kind '<kind>': <what is wrong>` when the
    ///   arguments do not decode; whatever ``handle(_:args:)`` throws.
    public func handle(_ job: Job) async throws -> JobResult {
        let args: Args
        do {
            args = try Args.decode(job.args)
        } catch {
            throw PermanentJobError(InvalidJobArguments.message(kind: job.kind, error))
        }
        return try await handle(job, args: args)
    }
}

/// A handler made from a closure. Without an `args` type the closure gets the job alone and
/// reads `job.args` itself.
public struct ClosureJobHandler<Args: JobArguments>: JobHandler {
    public let kind: String
    public let timeout: Duration?
    let body: @Sendable (Job, Args) async throws -> JobResult

    /// A handler of `kind` whose arguments decode as `args`.
    public init(kind: String, args: Args.Type, timeout: Duration? = nil, _ body: @escaping @Sendable (Job, Args) async throws -> JobResult) {
        self.kind = kind
        self.timeout = timeout
        self.body = body
    }

    public func handle(_ job: Job, args: Args) async throws -> JobResult { try await body(job, args) }
}

extension ClosureJobHandler where Args == UndecodedArgs {
    /// A handler of `kind` that reads `job.args` itself.
    public init(kind: String, timeout: Duration? = nil, _ body: @escaping @Sendable (Job) async throws -> JobResult) {
        self.init(kind: kind, args: UndecodedArgs.self, timeout: timeout) { job, _ in try await body(job) }
    }
}

/// Thrown by a handler to fail the job without retrying.
public struct PermanentJobError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Errors that know whether retrying can help.
public protocol JobErrorClassifying: Error {
    /// True when retrying cannot succeed.
    var isPermanent: Bool { get }
}

/// The handlers a worker knows, by kind.
public struct JobHandlerRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    public init() {}

    public init(_ handlers: [any JobHandler]) {
        for handler in handlers { register(handler) }
    }

    /// Adds (or replaces) the handler for `handler.kind`.
    public mutating func register(_ handler: any JobHandler) { handlers[handler.kind] = handler }

    /// Adds a closure handler that reads `job.args` itself.
    public mutating func register(
        _ kind: String, timeout: Duration? = nil, _ body: @escaping @Sendable (Job) async throws -> JobResult
    ) {
        register(ClosureJobHandler(kind: kind, timeout: timeout, body))
    }

    /// Adds a closure handler whose arguments decode as `args`.
    public mutating func register<Args: JobArguments>(
        _ kind: String, args: Args.Type, timeout: Duration? = nil, _ body: @escaping @Sendable (Job, Args) async throws -> JobResult
    ) {
        register(ClosureJobHandler(kind: kind, args: args, timeout: timeout, body))
    }

    /// The handler for `kind`, if any.
    public func handler(for kind: String) -> (any JobHandler)? { handlers[kind] }

    /// Registered kinds, sorted.
    public var kinds: [String] { handlers.keys.sorted() }
}
