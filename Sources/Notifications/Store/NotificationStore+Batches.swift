import Foundation
import HeraldJSON
import Postgres
import Queue

extension NotificationStore {
    /// A routing decision to write: the route, the jobs it enqueues and, when the first email
    /// attempt ran during routing and Postmark accepted it, the sent mark.
    struct RouteRecord: Sendable {
        var id: UUID
        var route: String
        var skipReason: String?
        var jobs: [RouteJob]
        /// Sets `email_sent_at` (and `provider_message_id`) with the route.
        var emailAccepted = false
        var providerMessageID: String? = nil
    }

    /// A job written with a route: a new one, or one whose first attempt already ran inside
    /// `notification.route` (the queue records it in the state a worker would have left it in).
    enum RouteJob: Sendable {
        case new(JobRequest)
        case attempted(AttemptedJob)
    }

    /// The `worker` of the error history entry of a first attempt made while routing.
    static let inlineAttemptWorker = "notification.route (first attempt)"

    /// What `notification.route` reads: the routing input, and the delivery input of an urgent
    /// or high notification (nil otherwise).
    struct RouteInputs: Sendable {
        var routing: NotificationRoutingInput
        var delivery: NotificationDeliveryInput?
    }

    struct EmailSent: Sendable {
        var id: UUID
        var providerMessageID: String?
    }

    /// The batched forms of the hot statements; each takes many inputs and answers in input order.
    struct Batchers: Sendable {
        let recordRoute: StatementBatcher<RouteRecord, Bool>
        let deliveryInput: StatementBatcher<UUID, NotificationDeliveryInput?>
        let routeInputs: StatementBatcher<UUID, RouteInputs?>
        let markEmailSent: StatementBatcher<EmailSent, Bool>

        init(pool: PostgresPool) {
            recordRoute = StatementBatcher { records in try await NotificationStore.recordRoutes(pool: pool, records) }
            deliveryInput = StatementBatcher { ids in try await NotificationStore.deliveryInputs(pool: pool, ids: ids) }
            routeInputs = StatementBatcher { ids in try await NotificationStore.routeInputs(pool: pool, ids: ids) }
            markEmailSent = StatementBatcher { marks in try await NotificationStore.markEmailsSent(pool: pool, marks) }
        }
    }

    /// The `preferences` column (`row_to_json` of the row, its `user_id` included and unused);
    /// empty without a row.
    static func preferences(from row: PostgresRow) throws -> ChannelPreferences {
        try row.decode(PostgresJSON?.self, column: "preferences").map { ChannelPreferences(json: try JSONValue(parsing: $0.text)) }
            ?? ChannelPreferences()
    }

    static func routingInput(from row: PostgresRow) throws -> NotificationRoutingInput {
        NotificationRoutingInput(
            id: try row.decode(UUID.self, column: "id"),
            tenantID: try row.decode(UUID.self, column: "tenant_id"),
            userID: try row.decode(UUID.self, column: "user_id"),
            priority: NotificationPriority(rawValue: try row.decode(String.self, column: "priority")) ?? .normal,
            routedAt: try row.decode(Date?.self, column: "routed_at"),
            hasPreferences: try row.decode(Bool.self, column: "has_preferences"),
            preferences: try preferences(from: row))
    }

    /// The routing input and, for an urgent or high notification, the delivery input, in one
    /// query (the tenant settings and template are only looked up for those).
    /// The one read of a notification with its user's preferences and, for delivery, the
    /// tenant settings and template (the tenant's override first, then the default). With
    /// `deliveryOnlyWhenImmediate`, settings and template are looked up only for urgent and high
    /// notifications (routing reads every notification; only those are emailed at once).
    static func inputsSQL(deliveryOnlyWhenImmediate: Bool) -> String {
        let gate = deliveryOnlyWhenImmediate ? "n.priority IN ('urgent', 'high')" : "true"
        return """
            SELECT n.id, n.tenant_id, n.user_id, n.type, n.priority, n.data, n.created_at, n.email_sent_at, n.sms_sent_at, n.routed_at,
                   p.user_id IS NOT NULL AS has_preferences, row_to_json(p) AS preferences, p.email, p.name AS recipient_name,
                   coalesce(EXISTS (SELECT 1 FROM email_suppressions e WHERE e.email = lower(p.email)), false) AS suppressed,
                   s.email_signature, s.from_email, s.from_name, \(templateColumns)
              FROM notifications n
              LEFT JOIN notification_preferences p ON p.user_id = n.user_id
              LEFT JOIN communication_settings s ON s.tenant_id = n.tenant_id AND \(gate)
              LEFT JOIN LATERAL (
                    SELECT * FROM notification_templates t
                     WHERE t.key IN (n.type, 'default') AND (t.tenant_id = n.tenant_id OR t.tenant_id IS NULL)
                     ORDER BY (t.key = n.type) DESC, (t.tenant_id IS NOT NULL) DESC
                     LIMIT 1) t ON \(gate)
             WHERE n.id = ANY($1::uuid[])
            """
    }

    static func routeInputs(pool: PostgresPool, ids: [UUID]) async throws -> [RouteInputs?] {
        let rows = try await pool.query(inputsSQL(deliveryOnlyWhenImmediate: true), [ids])
        var byID: [UUID: RouteInputs] = [:]
        for row in rows {
            let routing = try routingInput(from: row)
            let delivery = routing.priority.isImmediate ? try deliveryInput(from: row, preferences: routing.preferences) : nil
            byID[routing.id] = RouteInputs(routing: routing, delivery: delivery)
        }
        return ids.map { byID[$0] }
    }

    /// Writes the routes, sent marks and jobs of `records` in one transaction (one statement when
    /// no record has jobs). Jobs are written only for the notifications this call routed, so a
    /// duplicated route job writes nothing; the queue inserts them (and records a first attempt's
    /// outcome) by its own rules.
    static func recordRoutes(pool: PostgresPool, _ records: [RouteRecord]) async throws -> [Bool] {
        func write(_ connection: PostgresConnection) async throws -> Set<UUID> {
            let rows = try await connection.query(
                """
                UPDATE notifications x SET routed_at = now(), route = r.route, skip_reason = r.reason,
                       email_sent_at = CASE WHEN r.sent THEN now() ELSE x.email_sent_at END,
                       provider_message_id = CASE WHEN r.sent THEN r.mid ELSE x.provider_message_id END
                  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[], $5::text[]) AS r(id, route, reason, sent, mid)
                 WHERE x.id = r.id AND x.routed_at IS NULL
                RETURNING x.id
                """,
                [records.map(\.id), records.map(\.route), records.map(\.skipReason), records.map(\.emailAccepted),
                 records.map(\.providerMessageID)])
            let routed = Set(try rows.map { try $0.decode(UUID.self, column: "id") })
            var new: [JobRequest] = []
            var attempted: [AttemptedJob] = []
            for record in records where routed.contains(record.id) {
                for job in record.jobs {
                    switch job {
                    case .new(let request): new.append(request)
                    case .attempted(let job): attempted.append(job)
                    }
                }
            }
            if !new.isEmpty { try await JobQueue.enqueueMany(new, on: connection) }
            if !attempted.isEmpty { try await JobQueue.enqueueAttempted(attempted, attemptedBy: inlineAttemptWorker, on: connection) }
            return routed
        }
        let routed = records.contains { !$0.jobs.isEmpty } ? try await pool.transaction(write) : try await pool.withConnection(write)
        return records.map { routed.contains($0.id) }
    }

    static func deliveryInputs(pool: PostgresPool, ids: [UUID]) async throws -> [NotificationDeliveryInput?] {
        let rows = try await pool.query(inputsSQL(deliveryOnlyWhenImmediate: false), [ids])
        var byID: [UUID: NotificationDeliveryInput] = [:]
        for row in rows {
            let input = try deliveryInput(from: row)
            byID[input.id] = input
        }
        return ids.map { byID[$0] }
    }

    /// The delivery input of `row`; `preferences` when the caller parsed them already.
    static func deliveryInput(from row: PostgresRow, preferences: ChannelPreferences? = nil) throws -> NotificationDeliveryInput {
        NotificationDeliveryInput(
            id: try row.decode(UUID.self, column: "id"),
            tenantID: try row.decode(UUID.self, column: "tenant_id"),
            userID: try row.decode(UUID.self, column: "user_id"),
            type: try row.decode(String.self, column: "type"),
            priority: NotificationPriority(rawValue: try row.decode(String.self, column: "priority")) ?? .normal,
            data: try row.decode(PostgresJSON.self, column: "data"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            emailSentAt: try row.decode(Date?.self, column: "email_sent_at"),
            smsSentAt: try row.decode(Date?.self, column: "sms_sent_at"),
            preferences: try preferences ?? Self.preferences(from: row),
            email: try row.decode(String?.self, column: "email"),
            recipientName: try row.decode(String?.self, column: "recipient_name"),
            suppressed: try row.decode(Bool.self, column: "suppressed"),
            signature: try row.decode(String?.self, column: "email_signature"),
            fromEmail: try row.decode(String?.self, column: "from_email"),
            fromName: try row.decode(String?.self, column: "from_name"),
            template: try template(from: row))
    }

    static func markEmailsSent(pool: PostgresPool, _ marks: [EmailSent]) async throws -> [Bool] {
        let rows = try await pool.query(
            """
            UPDATE notifications n SET email_sent_at = now(), provider_message_id = t.mid
              FROM unnest($1::uuid[], $2::text[]) AS t(id, mid)
             WHERE n.id = t.id AND n.email_sent_at IS NULL
            RETURNING n.id
            """, [marks.map(\.id), marks.map(\.providerMessageID)])
        let marked = Set(try rows.map { try $0.decode(UUID.self, column: "id") })
        return marks.map { marked.contains($0.id) }
    }
}
