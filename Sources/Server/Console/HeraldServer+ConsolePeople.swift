import Discussions
import Foundation
import Hummingbird
import Logging
import Mail
import Notifications
import Postgres
import Queue

/// The console's People page: a user's preferences, notifications and digests
/// (``RecipientHistory``), an address's suppression with its cause and earlier removals, and the
/// discussion emails sent to it (``DiscussionHistory``); removing a suppression (``SuppressionList``).
extension HeraldServer {
    /// `GET /admin/people?q=<user id or address>`.
    func consolePeople(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let query = try ConsoleForm(queryOf: request)
        var page: [String: Any] = ["q": query["q"] ?? "", "searched": false]
        let notice = ConsoleNotice.from(code: query["done"], count: nil)
        guard let q = query["q"] else {
            return consolePage("people", title: "People", nav: "people", context: page, access: access, notice: notice)
        }
        guard q.count <= 254 else { throw Refusal(Self.text(.badRequest, "q is too long")) }
        page["searched"] = true
        let prefs: [RecipientHistory.Preferences]
        var addresses: [String] = []
        if let user = UUID(uuidString: q) {
            prefs = try await recipients.preferences(userID: user).map { [$0] } ?? []
        } else if q.contains("@") {
            prefs = try await recipients.preferences(email: q)
            addresses.append(q.lowercased())
        } else {
            throw Refusal(Self.text(.badRequest, "search by a user id (UUID) or an email address"))
        }
        var users = prefs.map(\.userID)
        for email in prefs.compactMap({ $0.email?.lowercased() }) where !addresses.contains(email) { addresses.append(email) }
        if let user = UUID(uuidString: q), users.isEmpty { users.append(user) }
        async let notificationLines = recipients.notifications(users: users)
        async let digestLines = recipients.digests(users: users)
        var addressContexts: [[String: Any]] = []
        var tracking: [[String: Any]] = []
        for address in addresses.prefix(5) {
            async let suppression = suppressions.entry(for: address)
            async let cause = discussions.latestBounce(to: address)
            async let removals = actionLog.entries(action: "remove_suppression", target: address)
            async let sent = discussions.trackedEmails(to: address)
            var entry: [String: Any] = ["email": address]
            if let suppressed = try await suppression {
                entry["suppressed"] = [
                    "email": suppressed.email, "reason": suppressed.reason, "bounce_type": ConsoleRenderer.text(suppressed.bounceType?.rawValue),
                    "source": suppressed.source, "since": ConsoleRenderer.time(suppressed.createdAt),
                    "cause": try await cause.map(\.tracking).map { bounce -> [String: Any] in
                        ["thread_id": bounce.threadId.lowercasedString, "recipient_email": bounce.recipientEmail,
                         "bounce_type": ConsoleRenderer.text(bounce.bounceType?.rawValue), "bounce_reason": ConsoleRenderer.text(bounce.bounceReason),
                         "bounced_at": ConsoleRenderer.time(bounce.bouncedAt)]
                    } ?? NSNull(),
                ] as [String: Any]
            } else {
                _ = try await cause
                entry["suppressed"] = NSNull()
            }
            let removed = try await removals.map { removal -> [String: Any] in
                ["at": ConsoleRenderer.time(removal.at), "actor": removal.actor, "detail": removal.detail]
            }
            entry["removals"] = removed
            entry["hasRemovals"] = !removed.isEmpty
            tracking += try await sent.map { tracked -> [String: Any] in
                let email = tracked.tracking
                return [
                    "thread_id": email.threadId.lowercasedString, "subject": tracked.subject, "sent": ConsoleRenderer.time(email.sentAt),
                    "delivered": ConsoleRenderer.time(email.deliveredAt), "open_count": String(email.openCount),
                    "click_count": String(email.clickCount), "bounce_type": ConsoleRenderer.text(email.bounceType?.rawValue),
                    "bounce_reason": ConsoleRenderer.text(email.bounceReason.map { String($0.prefix(200)) }),
                ]
            }
            addressContexts.append(entry)
        }
        let notifications = try await notificationLines.map { line -> [String: Any] in
            [
                "id": line.id.lowercasedString, "type": line.type, "priority": line.priority, "route": ConsoleRenderer.text(line.route),
                "skip_reason": ConsoleRenderer.text(line.skipReason), "created": ConsoleRenderer.time(line.createdAt),
                "email_sent": ConsoleRenderer.time(line.emailSentAt), "sms_sent": ConsoleRenderer.time(line.smsSentAt),
                "sms_status": ConsoleRenderer.text(line.smsStatus), "sms_error": ConsoleRenderer.text(line.smsError),
                "digest": ConsoleRenderer.text(line.digest), "delivered": ConsoleRenderer.time(line.deliveredAt),
                "bounced": ConsoleRenderer.time(line.bouncedAt), "job_id": ConsoleRenderer.number(line.job?.id),
                "job_state": ConsoleRenderer.text(line.job.map { "\($0.kind) \($0.state.rawValue)" }),
            ]
        }
        let digests = try await digestLines.map { digest -> [String: Any] in
            [
                "period_key": digest.periodKey, "frequency": digest.frequency, "notification_count": String(digest.notificationCount),
                "email_sent": ConsoleRenderer.time(digest.emailSentAt), "delivered": ConsoleRenderer.time(digest.deliveredAt),
                "bounced": ConsoleRenderer.time(digest.bouncedAt),
            ]
        }
        page["prefs"] = prefs.map { preferences -> [String: Any] in
            [
                "user_id": preferences.userID.lowercasedString, "tenant_id": preferences.tenantID.lowercasedString,
                "email": ConsoleRenderer.text(preferences.email), "phone": ConsoleRenderer.text(preferences.phone),
                "sms_enabled": preferences.smsEnabled ? "on" : "off", "digest_frequency": preferences.digestFrequency,
                "digest_hour": String(preferences.digestHour), "time_zone": preferences.timeZone,
            ]
        }
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

    /// `POST /admin/people/unsuppress` (email, note): deletes the suppression and records it, with
    /// what it said, in the operator action log, in one transaction.
    func consoleUnsuppress(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let form = context.form
        guard let email = form["email"], email.count <= 254 else { throw Refusal(Self.text(.badRequest, "email is required")) }
        guard let note = form["note"], note.count <= 2000 else {
            throw Refusal(Self.text(.badRequest, "say why the suppression is removed (note, at most 2,000 characters)"))
        }
        let removed = try await suppressions.remove(email, by: access.actor, note: note)
        logger.notice("console action", metadata: ["console.action": "remove_suppression", "removed": "\(removed == nil ? 0 : 1)"])
        let back = form["q"] ?? email
        return consoleRedirect("/admin/people?q=\(ConsoleRenderer.queryValue(back))&done=\(removed == nil ? "not-suppressed" : "unsuppressed")")
    }
}
