public import Foundation
import HeraldJSON
public import Postgres
public import Queue

/// The SQL of notification delivery. Every statement is parameterised; each method is one round
/// trip, except a route with jobs: the route and its jobs are one transaction, hence atomic.
///
/// Concurrent calls of the hot per-notification statements (routing input, route record, delivery
/// input, sent mark) are merged by ``StatementBatcher``s into multi-row statements (`= ANY($1)`,
/// `unnest`), so a worker running hundreds of jobs at once makes few round trips; each caller still
/// gets its own row back, and an idle worker runs each statement alone, at once.
public struct NotificationStore: Sendable {
    public let pool: PostgresPool
    private let batchers: Batchers

    public init(pool: PostgresPool) {
        self.pool = pool
        self.batchers = Batchers(pool: pool)
    }

    // MARK: Routing

    /// The notification and its user's preferences, or nil when the notification does not exist.
    public func routingInput(id: UUID) async throws -> NotificationRoutingInput? {
        try await batchers.routeInputs.submit(id)?.routing
    }

    /// The routing input with, for an urgent or high notification, everything its email needs,
    /// in one query; nil when the notification does not exist.
    func routeInputs(id: UUID) async throws -> RouteInputs? {
        try await batchers.routeInputs.submit(id)
    }

    /// Records the routing decision and enqueues its jobs in one transaction. Returns false (and
    /// enqueues nothing) when the notification was already routed.
    @discardableResult
    public func recordRoute(id: UUID, route: String, skipReason: String?, jobs: [JobRequest]) async throws -> Bool {
        try await recordRoute(RouteRecord(id: id, route: route, skipReason: skipReason, jobs: jobs.map(RouteJob.new)))
    }

    /// Writes `record` in one transaction (batched with concurrent ones); false when the
    /// notification was already routed, in which case nothing is written.
    @discardableResult
    func recordRoute(_ record: RouteRecord) async throws -> Bool {
        try await batchers.recordRoute.submit(record)
    }

    // MARK: Immediate email and SMS

    /// Everything `email.send` / `sms.send` need, in one query; nil when the notification is gone.
    public func deliveryInput(id: UUID) async throws -> NotificationDeliveryInput? {
        try await batchers.deliveryInput.submit(id)
    }

    /// Sets `email_sent_at` and `provider_message_id` unless already set. Returns false when they were.
    @discardableResult
    public func markEmailSent(id: UUID, providerMessageID: String?) async throws -> Bool {
        try await batchers.markEmailSent.submit(EmailSent(id: id, providerMessageID: providerMessageID))
    }

    /// Records why a channel was skipped or refused (appended to earlier reasons).
    public func recordSkip(id: UUID, reason: String) async throws {
        try await pool.query(
            """
            UPDATE notifications SET skip_reason = CASE WHEN skip_reason IS NULL OR skip_reason = '' THEN $2
                                                       WHEN position($2 IN skip_reason) > 0 THEN skip_reason
                                                       ELSE skip_reason || ',' || $2 END
             WHERE id = $1
            """, [id, reason])
    }

    /// Sets `sms_sent_at`, `sms_sid` and `sms_status` unless already sent.
    @discardableResult
    public func markSMSSent(id: UUID, sid: String?, status: String?) async throws -> Bool {
        try await pool.query(
            "UPDATE notifications SET sms_sent_at = now(), sms_sid = $2, sms_status = $3 WHERE id = $1 AND sms_sent_at IS NULL",
            [id, sid, status.flatMap { $0.range(of: "^[a-z_]{1,32}$", options: .regularExpression) != nil ? $0 : nil }]
        ).affectedRows == 1
    }

    /// Records a permanent SMS failure (`sms_status` `failed`, `sms_error` the reason).
    public func markSMSFailed(id: UUID, reason: String) async throws {
        try await pool.query("UPDATE notifications SET sms_status = 'failed', sms_error = $2 WHERE id = $1", [id, reason])
    }

    // MARK: Templates

    /// The template row's identity and the whole row as JSON, whose other text columns are the
    /// sources: a column a channel's migration adds reaches the renderer with no change here.
    /// (`row_to_json`, not `to_jsonb(t) - …`: a third less server CPU per row.)
    static let templateColumns =
        "t.id AS template_id, t.updated_at AS template_updated_at, t.key AS template_key, t.tenant_id AS template_tenant_id, "
        + "CASE WHEN t.id IS NOT NULL THEN row_to_json(t) END AS template_sources"

    /// The `notification_templates` columns that identify a row rather than hold a source.
    static let templateIdentityColumns: Set<String> = ["id", "key", "tenant_id", "updated_at"]

    static func template(from row: PostgresRow) throws -> StoredTemplate? {
        guard let id = try row.decode(UUID?.self, column: "template_id") else { return nil }
        var sources: [String: String] = [:]
        for (column, value) in try JSONValue(parsing: try row.decode(PostgresJSON.self, column: "template_sources").text).objectMembers ?? [] {
            if case .string(let source) = value, !templateIdentityColumns.contains(column) { sources[column] = source }
        }
        return StoredTemplate(
            id: id, updatedAt: try row.decode(Date.self, column: "template_updated_at"),
            template: NotificationTemplate(
                key: try row.decode(String.self, column: "template_key"),
                tenantID: try row.decode(UUID?.self, column: "template_tenant_id"),
                sources: sources))
    }
}
