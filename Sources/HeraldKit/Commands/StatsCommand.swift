import ArgumentParser
import Discussions
import Foundation
import Logging
import Postgres

/// `herald stats thread ID` / `herald stats message ID`: tracking statistics.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Tracking statistics of a thread or a message: total, sent, delivered, opened, clicked, bounced, open rate.",
        discussion: "open_rate = 100 × opened / sent, rounded to 2 decimals; 0 when nothing was sent.")

    enum Scope: String, ExpressibleByArgument, CaseIterable {
        case thread, message
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "thread or message") var scope: Scope
    @Argument(help: "The thread or message UUID.") var id: String
    @Flag(name: .long, help: "Print one JSON object.") var json = false

    func validate() throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("'\(id)' is not a UUID") }
    }

    func run() async throws {
        let logger = try global.makeLogger("herald.stats")
        guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a UUID") }
        let pool = PostgresPool(configuration: try global.databaseConfiguration(applicationName: "herald stats"), pool: .init(maximumConnections: 1), logger: logger)
        let store = DiscussionEmailTrackingStore(pool: pool)
        let stats: TrackingStats
        do {
            stats = scope == .thread ? try await store.getStatsForThread(uuid) : try await store.getStatsForMessage(uuid)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        print(Self.render(stats, scope: scope.rawValue, id: uuid, json: json))
    }

    static func render(_ stats: TrackingStats, scope: String, id: UUID, json: Bool) -> String {
        if json {
            let object: [String: Any] = [
                "scope": scope, "id": id.uuidString.lowercased(), "total": stats.total, "sent": stats.sent,
                "delivered": stats.delivered, "opened": stats.opened, "clicked": stats.clicked, "bounced": stats.bounced,
                "open_rate": stats.openRate,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        return """
            \(scope) \(id.uuidString.lowercased())
              total:      \(stats.total)
              sent:       \(stats.sent)
              delivered:  \(stats.delivered)
              opened:     \(stats.opened)
              clicked:    \(stats.clicked)
              bounced:    \(stats.bounced)
              open rate:  \(String(format: "%.2f", stats.openRate)) %
            """
    }
}
