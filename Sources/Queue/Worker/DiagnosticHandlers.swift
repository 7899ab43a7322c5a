public import Logging
import Postgres

/// Built-in job kinds for operators and tests: `herald.noop` (does nothing; used by
/// `herald bench queue`), `herald.sleep` (`{"ms": 100}`), `herald.fail`
/// (`{"message": "...", "permanent": false}`). Arguments of the wrong type fail the job at once
/// (`PermanentJobError`) with a message that says what was expected.
public enum DiagnosticHandlers {
    public static func all(logger: Logger) -> [any JobHandler] {
        [
            ClosureJobHandler(kind: "herald.noop") { job in
                logger.debug("noop job ran", metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)"])
                return .completed
            },
            ClosureJobHandler(kind: "herald.sleep") { job in
                struct Args: Decodable { var ms: Int? }
                let ms = (try? job.decodeArgs(Args.self)).map { $0.ms ?? 100 }
                guard let ms, (0...maximumSleep).contains(ms) else {
                    throw PermanentJobError(
                        #"herald.sleep takes {"ms": N} with N a whole number of milliseconds from 0 to \#(maximumSleep); got \#(shown(job))"#)
                }
                try await Task.sleep(for: .milliseconds(ms))
                logger.debug("sleep job ran", metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)"])
                return .completed
            },
            ClosureJobHandler(kind: "herald.fail") { job in
                struct Args: Decodable { var message: String?; var permanent: Bool? }
                guard let args = try? job.decodeArgs(Args.self) else {
                    throw PermanentJobError(#"herald.fail takes {"message": "text", "permanent": true|false}; got \#(shown(job))"#)
                }
                let message = args.message ?? "herald.fail asked to fail"
                return args.permanent == true ? .fail(reason: message) : .retry(reason: message)
            },
        ]
    }

    /// One hour: a longer sleep is a typo, not a diagnostic.
    static let maximumSleep = 3_600_000

    /// The job's arguments for an error message, cut to a readable length.
    private static func shown(_ job: Job) -> String {
        let text = job.args.text
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
