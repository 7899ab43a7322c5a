public import Logging

/// Built-in job kinds for operators and tests: `herald.noop` (does nothing, whatever its
/// arguments; used by `herald bench queue`), `herald.sleep` (`{"ms": 100}`), `herald.fail`
/// (`{"message": "...", "permanent": false}`). Arguments of the wrong type fail the job at once
/// with the queue's uniform `invalid args for kind …` message.
public enum DiagnosticHandlers {
    public static func all(logger: Logger) -> [any JobHandler] {
        [
            ClosureJobHandler(kind: "herald.noop") { job in
                logger.debug("noop job ran", metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)"])
                return .completed
            },
            ClosureJobHandler(kind: "herald.sleep", args: SleepArgs.self) { job, args in
                try await Task.sleep(for: .milliseconds(args.ms))
                logger.debug("sleep job ran", metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)"])
                return .completed
            },
            ClosureJobHandler(kind: "herald.fail", args: FailArgs.self) { _, args in
                let message = args.message ?? "herald.fail asked to fail"
                return args.permanent == true ? .fail(reason: message) : .retry(reason: message)
            },
        ]
    }

    /// One hour: a longer sleep is a typo, not a diagnostic.
    static let maximumSleep = 3_600_000

    /// `herald.sleep`: `{"ms": N}`, N a whole number of milliseconds from 0 to one hour (default 100).
    struct SleepArgs: JobArguments {
        var ms: Int

        enum CodingKeys: String, CodingKey { case ms }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Read as a number and checked here: JSONDecoder refuses 1.5 as an Int without naming the key.
            let value = try container.decodeIfPresent(Double.self, forKey: .ms) ?? 100
            guard value.rounded() == value, (0...Double(maximumSleep)).contains(value) else {
                let shown = value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
                throw DecodingError.dataCorruptedError(
                    forKey: .ms, in: container, debugDescription: "must be a whole number of milliseconds from 0 to \(maximumSleep), got \(shown)")
            }
            ms = Int(value)
        }
    }

    /// `herald.fail`: `{"message": "text", "permanent": true|false}`, both optional.
    struct FailArgs: JobArguments {
        var message: String?
        var permanent: Bool?
    }
}
