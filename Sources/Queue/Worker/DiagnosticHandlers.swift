public import Logging

/// Built-in job kinds for operators and tests: `herald.noop` (does nothing; used by
/// `herald bench queue`), `herald.sleep` (`{"ms": 100}`), `herald.fail`
/// (`{"message": "...", "permanent": false}`).
public enum DiagnosticHandlers {
    public static func all(logger: Logger) -> [any JobHandler] {
        [
            ClosureJobHandler(kind: "herald.noop") { job in
                logger.debug("noop job ran", metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)"])
                return .completed
            },
            ClosureJobHandler(kind: "herald.sleep") { job in
                struct Args: Decodable { var ms: Int? }
                let args = (try? job.decodeArgs(Args.self)) ?? Args(ms: nil)
                try await Task.sleep(for: .milliseconds(max(0, args.ms ?? 100)))
                logger.debug("sleep job ran", metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)"])
                return .completed
            },
            ClosureJobHandler(kind: "herald.fail") { job in
                struct Args: Decodable { var message: String?; var permanent: Bool? }
                let args = (try? job.decodeArgs(Args.self)) ?? Args(message: nil, permanent: nil)
                let message = args.message ?? "herald.fail asked to fail"
                return args.permanent == true ? .fail(reason: message) : .retry(reason: message)
            },
        ]
    }
}
