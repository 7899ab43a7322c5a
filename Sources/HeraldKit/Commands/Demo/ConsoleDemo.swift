import Foundation
import Postgres
import Sandbox

/// `herald demo --keep-running`: what the operator console shows on top of the demo's scenario,
/// and the environment that turns its login on.
enum ConsoleDemo {
    /// The console's credentials from the process environment (only these variables).
    static func adminEnvironment() -> [String: String] {
        let names = ["HERALD_ADMIN_USER", "HERALD_ADMIN_PASSWORD", "HERALD_ADMIN_READONLY_USER", "HERALD_ADMIN_READONLY_PASSWORD"]
        let settings = Settings.process
        return Dictionary(uniqueKeysWithValues: names.compactMap { name in settings.string(name).map { (name, $0) } })
    }

    /// Something to fix: Postmark refuses the next email (HTTP 422, ErrorCode 300: permanent), so
    /// the urgent invoice reminder to dave fails at once and its `email.send` job is `failed`;
    /// retried from the console, it goes out. Also a job of a kind that always fails, and a few
    /// completed jobs for the chart.
    static func seed(
        pool: PostgresPool, sandbox: SandboxProviders, step: (String) -> Void,
        wait: (String, () async throws -> Bool) async throws -> Void
    ) async throws {
        sandbox.failNext(1, endpoint: .email, with: .status(422))
        let notification = try await pool.query("""
            SELECT herald_notify(tenant_id, user_id, 'invoice.overdue', 'urgent',
                                 '{"invoice": "INV-2044", "amount": "€640"}'::jsonb) AS id
              FROM notification_preferences WHERE email = 'dave@acme.test'
            """)[0].decode(UUID.self, column: "id")
        try await pool.query("SELECT herald_enqueue('herald.fail', '{\"message\": \"diagnostic failure (herald.fail)\", \"permanent\": true}')")
        try await pool.query("INSERT INTO herald_jobs (kind, args) SELECT 'herald.noop', jsonb_build_object('n', i) FROM generate_series(1, 25) i")
        try await wait("the invoice reminder to dave failed (Postmark refused it)") {
            try await pool.query("SELECT count(*) FROM herald_jobs WHERE state = 'failed' AND unique_key = $1",
                                 ["email.send:" + notification.uuidString.lowercased()])[0].decode(Int.self, at: 0) == 1
        }
        step("A failed email.send job (dave's invoice reminder, refused once by Postmark) and a failed herald.fail job wait in the console")
    }
}
