import Delivery
import Foundation

/// The read-only admin page: job counts by state and kind, the latest failed jobs, and the latest
/// inbound replies that were not threaded. Pure rendering: every value is HTML-escaped.
struct AdminPage: Sendable {
    struct JobCount: Sendable { var kind: String; var state: String; var count: Int }
    struct FailedJob: Sendable { var id: Int64; var kind: String; var attempt: Int; var lastError: String; var finishedAt: String }
    struct Inbound: Sendable { var receivedAt: String; var status: String; var from: String; var subject: String; var error: String; var preview: String }

    var jobCounts: [JobCount]
    var failedJobs: [FailedJob]
    var inbound: [Inbound]

    static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }

    private static func table(_ headers: [String], _ rows: [[String]]) -> String {
        guard !rows.isEmpty else { return "<p>None.</p>" }
        let head = headers.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    func render() -> String {
        """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Herald admin</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style>
        </head><body>
        <h1>Herald</h1>
        <h2>Jobs</h2>
        \(Self.table(["kind", "state", "count"], jobCounts.map { [$0.kind, $0.state, String($0.count)] }))
        <h2>Failed jobs (latest 50)</h2>
        \(Self.table(["id", "kind", "attempts", "finished", "last error"], failedJobs.map { [String($0.id), $0.kind, String($0.attempt), $0.finishedAt, $0.lastError] }))
        <p>Re-queue with SQL, e.g. <code>UPDATE herald_jobs SET state = 'available', run_at = now() WHERE id = …</code></p>
        <h2>Inbound replies not threaded (latest 50)</h2>
        \(Self.table(["received", "status", "from", "subject", "reason", "preview"], inbound.map { [$0.receivedAt, $0.status, $0.from, $0.subject, $0.error, $0.preview] }))
        </body></html>
        """
    }
}
