import ArgumentParser
import Foundation
import Postgres
import Queue

/// `herald jobs list|show|retry|cancel|stats`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect and repair the job queue.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Stats.self])

    /// Runs `body` with a one-connection queue client.
    static func withQueue(_ global: GlobalOptions, _ body: (JobQueue) async throws -> Void) async throws {
        let logger = try global.makeLogger("herald.jobs")
        let pool = PostgresPool(configuration: try global.databaseConfiguration(applicationName: "herald jobs"),
                                pool: .init(maximumConnections: 1), logger: logger)
        do {
            try await body(JobQueue(pool: pool))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    static func format(_ date: Date?) -> String { date.map(PostgresTimestamp.format) ?? "-" }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "available, scheduled, running, retryable, completed, failed or cancelled.") var state: String?
        @Option(name: .long, help: "Only this kind.") var kind: String?
        @Option(name: .long, help: "How many.") var limit: Int = 50

        func validate() throws {
            if let state, JobState(rawValue: state) == nil {
                throw ValidationError("unknown state '\(state)': use \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await JobsCommand.withQueue(global) { queue in
                let jobs = try await queue.list(state: state.flatMap(JobState.init), kind: kind, limit: limit)
                print("id\tstate\tkind\tqueue\tpriority\tattempt\trun_at\tlast_error")
                for job in jobs {
                    let error = job.errors.last?.error.replacingOccurrences(of: "\n", with: " ").prefix(80) ?? ""
                    print("\(job.id)\t\(job.state.rawValue)\t\(job.kind)\t\(job.queue)\t\(job.priority)\t\(job.attempt)/\(job.maxAttempts)\t\(JobsCommand.format(job.runAt))\t\(error)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job with its error history.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job id.") var id: Int64

        func run() async throws {
            try await JobsCommand.withQueue(global) { queue in
                guard let job = try await queue.job(id: id) else { throw ValidationError("no job with id \(id)") }
                print("""
                    id:           \(job.id)
                    kind:         \(job.kind)
                    queue:        \(job.queue)
                    state:        \(job.state.rawValue)
                    priority:     \(job.priority)
                    attempt:      \(job.attempt) of \(job.maxAttempts)
                    run_at:       \(JobsCommand.format(job.runAt))
                    created_at:   \(JobsCommand.format(job.createdAt))
                    attempted_at: \(JobsCommand.format(job.attemptedAt))
                    finished_at:  \(JobsCommand.format(job.finishedAt))
                    locked_by:    \(job.lockedBy ?? "-")
                    unique_key:   \(job.uniqueKey ?? "-")
                    args:         \(job.args.text)
                    errors:
                    """)
                for error in job.errors {
                    print("  attempt \(error.attempt) at \(error.at) on \(error.worker ?? "?"): \(error.error)")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-queue a failed job now (by id), or every failed job of a kind / time window.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job id (omit with --failed).") var id: Int64?
        @Flag(name: .long, help: "Retry failed jobs, filtered by --kind/--since/--until.") var failed = false
        @Option(name: .long, help: "Only this kind (with --failed).") var kind: String?
        @Option(name: .long, help: "Failed at or after this ISO 8601 time (with --failed).") var since: String?
        @Option(name: .long, help: "Failed before this ISO 8601 time (with --failed).") var until: String?
        @Option(name: .long, help: "Attempts granted beyond those used (1 … 1000).") var extraAttempts: Int = 1

        func validate() throws {
            guard (1...1000).contains(extraAttempts) else {
                throw ValidationError("--extra-attempts must be a whole number from 1 to 1000 (got \(extraAttempts))")
            }
            guard (id != nil) != failed else { throw ValidationError("give a job id, or --failed (with optional --kind/--since/--until)") }
            for (flag, value) in [("--since", since), ("--until", until)] {
                if let value, EnqueueCommand.parseDate(value) == nil { throw ValidationError("\(flag) '\(value)' is not an ISO 8601 time") }
            }
        }

        func run() async throws {
            try await JobsCommand.withQueue(global) { queue in
                if let id {
                    guard try await queue.retry(id: id, extraAttempts: extraAttempts) else {
                        throw ValidationError("job \(id) does not exist or is not failed, cancelled, retryable or scheduled")
                    }
                    print("job \(id) re-queued")
                } else {
                    let count = try await queue.retryFailed(
                        kind: kind, since: since.flatMap(EnqueueCommand.parseDate), until: until.flatMap(EnqueueCommand.parseDate),
                        extraAttempts: extraAttempts)
                    print("\(count) failed job(s) re-queued")
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job that has not finished.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job id.") var id: Int64

        func run() async throws {
            try await JobsCommand.withQueue(global) { queue in
                guard try await queue.cancel(id: id) else { throw ValidationError("job \(id) does not exist or has already finished") }
                print("job \(id) cancelled")
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs per queue and state.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await JobsCommand.withQueue(global) { queue in
                print("queue\tstate\tjobs\tmax_wait_s")
                for stat in try await queue.stats() {
                    print("\(stat.queue)\t\(stat.state.rawValue)\t\(stat.jobs)\t\(stat.maxWaitSeconds.map { String(format: "%.1f", $0) } ?? "-")")
                }
            }
        }
    }
}
