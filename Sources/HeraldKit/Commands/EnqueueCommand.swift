import ArgumentParser
import Foundation
import Postgres
import Queue

/// `herald enqueue KIND --args JSON …`.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Enqueue one job and print its id.",
        discussion: "Example: herald enqueue notification.route --args '{\"notification_id\":\"…\"}' --priority 0")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job kind (which handler runs it).")
    var kind: String

    @Option(name: .long, help: "Arguments as a JSON object.")
    var args: String = "{}"

    @Option(name: .long, help: "0 urgent, 1 high, 2 normal, 3 low.")
    var priority: Int = 2

    @Option(name: .long, help: "Run no earlier than this ISO 8601 time (e.g. 2026-12-01T09:00:00Z).")
    var runAt: String?

    @Option(name: .long, help: "At most one live job per key.")
    var uniqueKey: String?

    @Option(name: .long, help: "Attempts before the job fails for good.")
    var maxAttempts: Int = 20

    @Option(name: .long, help: "Queue name.")
    var queue: String = "default"

    func validate() throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(args.utf8)), object is [String: Any] else {
            throw ValidationError("--args must be a JSON object, e.g. '{\"user_id\": \"…\"}'")
        }
        guard (0...3).contains(priority) else { throw ValidationError("--priority must be 0 (urgent) to 3 (low)") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        if let runAt, Self.parseDate(runAt) == nil {
            throw ValidationError("--run-at '\(runAt)' is not an ISO 8601 time such as 2026-12-01T09:00:00Z")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    func run() async throws {
        let logger = try global.makeLogger("herald.enqueue")
        let pool = PostgresPool(configuration: try global.databaseConfiguration(applicationName: "herald enqueue"),
                                pool: .init(maximumConnections: 1), logger: logger)
        let request = JobRequest(
            kind: kind, args: PostgresJSON(args), queue: queue, priority: priority, runAt: runAt.flatMap(Self.parseDate),
            uniqueKey: uniqueKey, maxAttempts: maxAttempts)
        do {
            let id = try await JobQueue(pool: pool).enqueue(request)
            print(id)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
