import Discussions
import Foundation
import Hummingbird
import Logging
import Notifications
import Postgres
import Queue

extension HeraldServer {
    // MARK: People and notifications

    /// A timestamp column that may not exist yet (provider webhooks add delivery and bounce
    /// columns to notifications and digests): read from the row's JSON, so the query works
    /// before and after such a migration.
    private static func optionalTime(_ row: String, _ names: [String], _ alias: String) -> String {
        let value = "coalesce(" + names.map { "to_jsonb(\(row)) ->> '\($0)'" }.joined(separator: ", ") + ")"
        return "to_char((\(value))::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS \(alias)"
    }

    private static let notificationsSQL = """
        SELECT n.id, n.type, n.priority, n.route, n.skip_reason, \(ConsoleSQL.time("n.created_at", "created")),
               \(ConsoleSQL.time("n.email_sent_at", "email_sent")), \(ConsoleSQL.time("n.sms_sent_at", "sms_sent")),
               n.sms_status, left(n.sms_error, 200) AS sms_error, d.period_key AS digest,
               \(optionalTime("n", ["email_delivered_at", "delivered_at"], "delivered")),
               \(optionalTime("n", ["email_bounced_at", "bounced_at"], "bounced")),
               j.id AS job_id, j.label AS job_state
          FROM notifications n
          LEFT JOIN digests d ON d.id = n.digest_id
          LEFT JOIN LATERAL (
                SELECT x.id, x.kind || ' ' || x.state AS label FROM (
                    SELECT id, kind, state FROM herald_jobs
                     WHERE unique_key IN ('notification.route:' || n.id, 'email.send:' || n.id, 'sms.send:' || n.id)
                       AND unique_key IS NOT NULL AND state IN \(JobState.liveSQLList)
                    UNION ALL
                    SELECT id, kind, state FROM herald_jobs
                     WHERE unique_key IN ('notification.route:' || n.id, 'email.send:' || n.id, 'sms.send:' || n.id)
                       AND unique_key IS NOT NULL AND state IN ('failed', 'cancelled')) x
                 ORDER BY x.id DESC LIMIT 1) j ON true
         WHERE n.user_id = ANY($1::uuid[])
         ORDER BY n.created_at DESC LIMIT 50
        """

    private static let digestsSQL = """
        SELECT d.period_key, d.frequency, d.notification_count, \(ConsoleSQL.time("d.email_sent_at", "email_sent")),
               \(optionalTime("d", ["email_delivered_at", "delivered_at"], "delivered")),
               \(optionalTime("d", ["email_bounced_at", "bounced_at"], "bounced"))
          FROM digests d WHERE d.user_id = ANY($1::uuid[])
         ORDER BY d.period_start DESC LIMIT 20
        """

    /// `GET /admin/people?q=<user id or address>`.
    func consolePeople(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context)
        let query = try ConsoleForm.query(request)
        var page: [String: Any] = ["q": query["q"] ?? "", "searched": false]
        let notice = ConsoleNotice.from(code: query["done"], count: nil)
        guard let q = query["q"] else {
            return consolePage("people", title: "People", nav: "people", context: page, access: access, notice: notice)
        }
        guard q.count <= 254 else { throw ConsoleRefusal.response(Self.text(.badRequest, "q is too long")) }
        page["searched"] = true
        let prefsSQL = """
            SELECT user_id, tenant_id, email, phone, CASE WHEN sms_enabled THEN 'on' ELSE 'off' END AS sms_enabled, digest_frequency, digest_hour, time_zone
              FROM notification_preferences
            """
        let prefs: PostgresRows
        var addresses: [String] = []
        if let user = UUID(uuidString: q) {
            prefs = try await pool.query(prefsSQL + " WHERE user_id = $1", [user])
        } else if q.contains("@") {
            prefs = try await pool.query(prefsSQL + " WHERE lower(email) = lower($1) ORDER BY user_id LIMIT 20", [q])
            addresses.append(q.lowercased())
        } else {
            throw ConsoleRefusal.response(Self.text(.badRequest, "search by a user id (UUID) or an email address"))
        }
        var users: [UUID] = []
        for row in prefs {
            users.append(try row.decode(UUID.self, column: "user_id"))
            if let email = try row.decode(String?.self, column: "email")?.lowercased(), !addresses.contains(email) { addresses.append(email) }
        }
        if let user = UUID(uuidString: q), users.isEmpty { users.append(user) }
        async let notificationRows = pool.query(Self.notificationsSQL, [users])
        async let digestRows = pool.query(Self.digestsSQL, [users])
        var addressContexts: [[String: Any]] = []
        var tracking: [[String: Any]] = []
        for address in addresses.prefix(5) {
            async let suppression = pool.query("""
                SELECT email, reason, bounce_type, source, \(ConsoleSQL.time("created_at", "since")) FROM email_suppressions WHERE email = lower($1)
                """, [address])
            async let cause = pool.query("""
                SELECT thread_id, recipient_email, bounce_type, left(bounce_reason, 300) AS bounce_reason, \(ConsoleSQL.time("bounced_at", "bounced_at"))
                  FROM discussion_email_tracking WHERE lower(recipient_email) = lower($1) AND bounced_at IS NOT NULL
                 ORDER BY bounced_at DESC LIMIT 1
                """, [address])
            async let removals = pool.query("""
                SELECT \(ConsoleSQL.time("at", "at")), actor, detail FROM herald_console_actions
                 WHERE target = lower($1) AND action = 'remove_suppression' ORDER BY at DESC LIMIT 20
                """, [address])
            async let sent = pool.query("""
                SELECT t.thread_id, th.subject, \(ConsoleSQL.time("t.sent_at", "sent")), \(ConsoleSQL.time("t.delivered_at", "delivered")),
                       t.open_count, t.click_count, t.bounce_type, left(t.bounce_reason, 200) AS bounce_reason
                  FROM discussion_email_tracking t JOIN communication_threads th ON th.id = t.thread_id
                 WHERE lower(t.recipient_email) = lower($1) ORDER BY t.sent_at DESC NULLS LAST LIMIT 50
                """, [address])
            var entry: [String: Any] = ["email": address]
            if let row = try await suppression.first {
                var suppressed = ConsoleRenderer.context(row)
                suppressed["cause"] = try await cause.first.map(ConsoleRenderer.context) ?? NSNull()
                entry["suppressed"] = suppressed
            } else {
                _ = try await cause
                entry["suppressed"] = NSNull()
            }
            let removed = ConsoleRenderer.contexts(try await removals)
            entry["removals"] = removed
            entry["hasRemovals"] = !removed.isEmpty
            tracking += ConsoleRenderer.contexts(try await sent)
            addressContexts.append(entry)
        }
        let notifications = ConsoleRenderer.contexts(try await notificationRows)
        let digests = ConsoleRenderer.contexts(try await digestRows)
        page["prefs"] = ConsoleRenderer.contexts(prefs)
        page["hasPrefs"] = !prefs.isEmpty
        page["addresses"] = addressContexts
        page["notifications"] = notifications
        page["hasNotifications"] = !notifications.isEmpty
        page["digests"] = digests
        page["hasDigests"] = !digests.isEmpty
        page["tracking"] = tracking
        page["hasTracking"] = !tracking.isEmpty
        page["found"] = !prefs.isEmpty || !notifications.isEmpty || !tracking.isEmpty
            || addressContexts.contains { !($0["suppressed"] is NSNull) }
        return consolePage("people", title: "People", nav: "people", context: page, access: access, notice: notice)
    }

    /// `POST /admin/people/unsuppress` (email, note): deletes the suppression and records it,
    /// with what it said, in `herald_console_actions`, in one statement.
    func consoleUnsuppress(_ request: Request, context: HeraldRequestContext, form: ConsoleForm) async throws -> Response {
        let access = try consoleAct(request, context: context, form: form)
        guard let email = form["email"], email.count <= 254 else { throw ConsoleRefusal.response(Self.text(.badRequest, "email is required")) }
        guard let note = form["note"], note.count <= 2000 else {
            throw ConsoleRefusal.response(Self.text(.badRequest, "say why the suppression is removed (note, at most 2,000 characters)"))
        }
        let rows = try await pool.query("""
            WITH removed AS (DELETE FROM email_suppressions WHERE email = lower($1) RETURNING email, reason, bounce_type, source, created_at)
            INSERT INTO herald_console_actions (actor, action, target, detail)
            SELECT $2, 'remove_suppression', email,
                   left($3 || ' (was: ' || source || coalesce(', ' || bounce_type, '') || ' since '
                        || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ': ' || reason || ')', 4000)
              FROM removed
            RETURNING id
            """, [email, access.actor, note])
        logger.notice("console action", metadata: ["console.action": "remove_suppression", "removed": "\(rows.count)"])
        let back = form["q"] ?? email
        return consoleRedirect("/admin/people?q=\(ConsoleRenderer.queryValue(back))&done=\(rows.isEmpty ? "not-suppressed" : "unsuppressed")")
    }

    // MARK: Discussions

    private static let heldSQL = """
        SELECT i.id, \(ConsoleSQL.time("i.received_at", "received")), i.status, i.reason, i.from_email, p.email AS claimed_email,
               i.subject, left(coalesce(i.stripped_text, i.text_body, ''), 200) AS preview, i.thread_id, t.subject AS thread_subject,
               CASE WHEN i.status = 'rejected' AND i.reason IN ('sender_mismatch', 'spam') AND i.thread_id IS NOT NULL THEN 'yes' END AS releasable
          FROM inbound_emails i
          LEFT JOIN communication_thread_participants p ON p.id = i.participant_id
          LEFT JOIN communication_threads t ON t.id = i.thread_id
         WHERE i.status <> 'threaded' AND i.discarded_at IS NULL
        """

    /// `GET /admin/discussions?q=`: held replies, and threads (newest, or found by id / email
    /// thread id / subject).
    func consoleDiscussions(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context)
        let query = try ConsoleForm.query(request)
        let q = query["q"]
        if (q?.count ?? 0) > 200 { throw ConsoleRefusal.response(Self.text(.badRequest, "q is too long")) }
        async let held = pool.query(Self.heldSQL + " ORDER BY i.received_at DESC LIMIT 100")
        let threadColumns = """
            SELECT t.id, t.subject, t.email_thread_id, \(ConsoleSQL.time("t.created_at", "created")),
                   (SELECT count(*) FROM communication_messages m WHERE m.thread_id = t.id) AS messages
              FROM communication_threads t
            """
        let threads: PostgresRows
        if let q, let id = UUID(uuidString: q) {
            threads = try await pool.query(threadColumns + " WHERE t.id = $1", [id])
        } else if let q {
            threads = try await pool.query(threadColumns + " WHERE t.email_thread_id = $1 OR strpos(lower(t.subject), lower($1)) > 0 ORDER BY t.created_at DESC LIMIT 20", [q])
        } else {
            threads = try await pool.query(threadColumns + " ORDER BY t.created_at DESC LIMIT 20")
        }
        let heldContexts = ConsoleRenderer.contexts(try await held)
        let page: [String: Any] = [
            "q": q ?? "", "held": heldContexts, "hasHeld": !heldContexts.isEmpty,
            "threads": ConsoleRenderer.contexts(threads), "hasThreads": !threads.isEmpty,
        ]
        return consolePage("discussions", title: "Discussions", nav: "discussions", context: page, access: access,
                           notice: ConsoleNotice.from(code: query["done"], count: nil))
    }

    /// `GET /admin/discussions/{id}`: messages with Message-ID / In-Reply-To, tracking per recipient, stats.
    func consoleThread(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context)
        let id = try Self.consoleUUID(context, what: "thread")
        async let threadRows = pool.query("""
            SELECT id, tenant_id, subject, email_thread_id, \(ConsoleSQL.time("created_at", "created")) FROM communication_threads WHERE id = $1
            """, [id])
        async let stats = pool.query("SELECT * FROM herald_tracking_stats_for_thread($1)", [id])
        async let messages = pool.query("""
            SELECT id, source, coalesce(author_name, author_email, author_user_id::text, '?') AS author, left(body, 2000) AS body,
                   email_message_id, email_in_reply_to, \(ConsoleSQL.time("created_at", "created"))
              FROM communication_messages WHERE thread_id = $1 ORDER BY created_at, id LIMIT 500
            """, [id])
        async let tracking = pool.query("""
            SELECT left(message_id::text, 8) AS message_short, recipient_email, recipient_type,
                   \(ConsoleSQL.time("sent_at", "sent")), \(ConsoleSQL.time("delivered_at", "delivered")),
                   \(ConsoleSQL.time("opened_at", "opened")), nullif(open_count, 0) AS open_count,
                   \(ConsoleSQL.time("clicked_at", "clicked")), nullif(click_count, 0) AS click_count,
                   \(ConsoleSQL.time("bounced_at", "bounced")), bounce_type, left(bounce_reason, 300) AS bounce_reason
              FROM discussion_email_tracking WHERE thread_id = $1 ORDER BY created_at, recipient_email LIMIT 1000
            """, [id])
        async let heldCount = pool.query(
            "SELECT count(*)::bigint AS n FROM inbound_emails WHERE thread_id = $1 AND status <> 'threaded' AND discarded_at IS NULL", [id])
        guard let thread = try await threadRows.first else {
            _ = try? await (stats, messages, tracking, heldCount)
            throw ConsoleRefusal.response(Self.text(.notFound, "no such thread"))
        }
        var page = ConsoleRenderer.context(thread)
        page["stats"] = try await stats.first.map(ConsoleRenderer.context) ?? NSNull()
        page["messages"] = ConsoleRenderer.contexts(try await messages)
        let trackingContexts = try await tracking.map { row -> [String: Any] in
            var entry = ConsoleRenderer.context(row)
            entry["recipientParam"] = ConsoleRenderer.queryValue(try row.decode(String.self, column: "recipient_email"))
            return entry
        }
        page["tracking"] = trackingContexts
        page["hasTracking"] = !trackingContexts.isEmpty
        let held = try await heldCount[0].decode(Int.self, column: "n")
        page["hasHeld"] = held > 0
        page["heldCount"] = held
        return consolePage("thread", title: (try? thread.decode(String.self, column: "subject")) ?? "Thread", nav: "discussions", context: page, access: access)
    }

    /// `POST /admin/inbound/{id}/release` (``InboundReplyService/release(inboundId:)``, the path
    /// `herald inbound release` takes) and `…/discard` (note optional).
    func consoleInboundAction(_ request: Request, context: HeraldRequestContext, form: ConsoleForm, release: Bool) async throws -> Response {
        let access = try consoleAct(request, context: context, form: form)
        let id = try Self.consoleUUID(context, what: "inbound email")
        let outcome: String
        if release {
            do {
                _ = try await inbound.release(inboundId: id)
                try await consoleAudit(access, action: "release_inbound", target: id.uuidString.lowercased(), detail: "")
                outcome = "released"
            } catch is DeliveryStoreError {
                outcome = "not-released"
            }
        } else {
            let note = form["note"] ?? ""
            guard note.count <= 2000 else { throw ConsoleRefusal.response(Self.text(.badRequest, "the note is longer than 2,000 characters")) }
            let rows = try await pool.query("""
                UPDATE inbound_emails SET discarded_at = now(), discarded_by = $2, discard_note = nullif($3, '')
                 WHERE id = $1 AND status <> 'threaded' AND discarded_at IS NULL RETURNING id
                """, [id, access.actor, note])
            if !rows.isEmpty { try await consoleAudit(access, action: "discard_inbound", target: id.uuidString.lowercased(), detail: note) }
            outcome = rows.isEmpty ? "not-discarded" : "discarded"
        }
        return consoleRedirect("/admin/discussions?done=\(outcome)")
    }
}
