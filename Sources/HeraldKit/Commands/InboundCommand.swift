import ArgumentParser
import Discussions
import Foundation
import Logging
import Mail
import Postgres

/// `herald inbound release ID` and `herald inbound reprocess ID`: operator actions on kept inbound email.
struct InboundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbound",
        abstract: "Act on inbound replies that were kept but not threaded (see the view herald_unmatched_inbound).",
        subcommands: [Release.self, Reprocess.self])

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Thread a reply kept for sender_mismatch or spam into the thread it claimed, after checking its sender.",
            discussion: """
                The reply becomes a message of the claimed thread authored by its real sender and is emailed to \
                the other participants; its inbound_emails row becomes threaded, with released_at set. \
                Find candidates with: SELECT id, from_email, claimed_email, reason, preview FROM herald_unmatched_inbound \
                WHERE reason IN ('sender_mismatch', 'spam');
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var inbound: InboundEmailID

        func run() async throws {
            let logger = try global.makeLogger("herald.inbound")
            // Releasing verifies no reply token, so any key will do; HERALD_SECRET is not needed.
            let key = TokenSigningKey.random()
            let outcome = try await InboundCommand.withService(global, connections: 1, key: key, logger: logger) {
                try await $0.release(inboundId: try inbound.uuid)
            }
            if case .threaded(let thread, let message, let duplicate) = outcome {
                let what = duplicate ? "already threaded" : "released"
                print("\(what): thread \(thread.uuidString.lowercased()), message \(message?.uuidString.lowercased() ?? "-")")
            }
        }
    }

    struct Reprocess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Process again an inbound email whose processing failed (status failed) or never finished (status received).",
            discussion: """
                It runs the same steps as when the webhook arrived, from what was stored (inbound_emails.raw and its \
                attachments): automatic email is kept as auto_reply or bounce, a reply is threaded or kept with its reason. \
                Needs HERALD_SECRET (the same as herald serve's) to verify signed reply addresses. \
                Find candidates with: SELECT id, received_at, error FROM herald_unmatched_inbound WHERE status IN ('failed', 'received');
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var inbound: InboundEmailID

        func run() async throws {
            let logger = try global.makeLogger("herald.inbound")
            // Signed reply addresses are verified with HERALD_SECRET, as `herald serve` does.
            let key = try Settings.process.validated { try $0.signingKey(sandbox: false) }
            let outcome = try await InboundCommand.withService(global, connections: 2, key: key, logger: logger) {
                try await $0.reprocess(inboundId: try inbound.uuid)
            }
            switch outcome {
            case .threaded(let thread, let message, _):
                print("threaded: thread \(thread.uuidString.lowercased()), message \(message?.uuidString.lowercased() ?? "-")")
            case .failed(_, let error, _):
                print("failed again: \(error)")
                throw ExitCode(1)
            default:
                print("\(outcome.status)\(outcome.inboundId.map { ": inbound \($0.uuidString.lowercased())" } ?? "")")
            }
        }
    }

    /// Runs `action` on an ``InboundReplyService`` over a pool of `connections` connections, and
    /// closes the pool whether or not it succeeds.
    static func withService(
        _ global: GlobalOptions, connections: Int, key: TokenSigningKey, logger: Logger,
        _ action: (InboundReplyService) async throws -> InboundReplyOutcome
    ) async throws -> InboundReplyOutcome {
        let pool = PostgresPool(configuration: try global.databaseConfiguration(applicationName: "herald inbound"),
                                pool: .init(maximumConnections: connections), logger: logger)
        do {
            let outcome = try await action(InboundReplyService(pool: pool, key: key, logger: logger))
            await pool.close()
            return outcome
        } catch {
            await pool.close()
            throw error
        }
    }
}

/// The `ID` argument of `herald inbound release` and `reprocess`: an `inbound_emails` id.
struct InboundEmailID: ParsableArguments {
    @Argument(help: "The inbound_emails id.") var id: String

    func validate() throws {
        _ = try uuid
    }

    /// The id as a UUID; text that is not one is refused as a usage error.
    var uuid: UUID {
        get throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a UUID") }
            return uuid
        }
    }
}
