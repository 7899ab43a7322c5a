import Discussions
import Foundation
import Hummingbird
import Logging
import Mail
import Notifications
import Postgres

/// The console's Discussions pages: held replies and threads (``InboundReplyService``,
/// ``DiscussionHistory``), and releasing or discarding a held reply.
extension HeraldServer {
    /// `GET /admin/discussions?q=`: held replies, and threads (newest, or found by id / email
    /// thread id / subject).
    func consoleDiscussions(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let query = try ConsoleForm(queryOf: request)
        let q = query["q"]
        if (q?.count ?? 0) > 200 { throw Refusal(Self.text(.badRequest, "q is too long")) }
        async let heldReplies = inbound.heldReplies()
        let threads = try await discussions.threads(matching: q).map { thread -> [String: Any] in
            ["id": thread.id.lowercasedString, "subject": thread.subject, "email_thread_id": thread.emailThreadID,
             "created": ConsoleRenderer.time(thread.createdAt), "messages": String(thread.messages)]
        }
        let held = try await heldReplies.map { reply -> [String: Any] in
            [
                "id": reply.id.lowercasedString, "received": ConsoleRenderer.time(reply.receivedAt), "status": reply.status,
                "reason": ConsoleRenderer.text(reply.reason), "from_email": reply.fromEmail, "claimed_email": ConsoleRenderer.text(reply.claimedEmail),
                "subject": ConsoleRenderer.text(reply.subject), "preview": reply.preview,
                "thread_id": ConsoleRenderer.text(reply.threadID?.lowercasedString), "thread_subject": ConsoleRenderer.text(reply.threadSubject),
                "releasable": reply.isReleasable ? "yes" : NSNull(),
            ]
        }
        let page: [String: Any] = [
            "q": q ?? "", "held": held, "hasHeld": !held.isEmpty, "threads": threads, "hasThreads": !threads.isEmpty,
        ]
        return consolePage("discussions", title: "Discussions", nav: "discussions", context: page, access: access,
                           notice: ConsoleNotice.from(code: query["done"], count: nil))
    }

    /// `GET /admin/discussions/{id}`: messages with Message-ID / In-Reply-To, tracking per recipient, stats.
    func consoleThread(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let id = try Self.consoleUUID(context, what: "thread")
        async let threadRow = discussions.thread(id: id)
        async let stats = DiscussionEmailTrackingStore(pool: pool).getStatsForThread(id)
        async let messages = discussions.messages(thread: id)
        async let tracking = discussions.trackedEmails(thread: id)
        async let heldCount = inbound.heldReplyCount(thread: id)
        guard let thread = try await threadRow else {
            _ = try? await (stats, messages, tracking, heldCount)
            throw Refusal(Self.text(.notFound, "no such thread"))
        }
        var page: [String: Any] = [
            "id": thread.id.lowercasedString, "tenant_id": thread.tenantID.lowercasedString, "subject": thread.subject,
            "email_thread_id": thread.emailThreadID, "created": ConsoleRenderer.time(thread.createdAt),
        ]
        let counts = try await stats
        page["stats"] = [
            "total": String(counts.total), "sent": String(counts.sent), "delivered": String(counts.delivered), "opened": String(counts.opened),
            "clicked": String(counts.clicked), "bounced": String(counts.bounced), "open_rate": Self.percentage(counts),
        ]
        page["messages"] = try await messages.map { message -> [String: Any] in
            ["id": message.id.lowercasedString, "source": message.source, "author": message.author, "body": message.body,
             "email_message_id": ConsoleRenderer.text(message.emailMessageID), "email_in_reply_to": ConsoleRenderer.text(message.emailInReplyTo),
             "created": ConsoleRenderer.time(message.createdAt)]
        }
        let trackingContexts = try await tracking.map { tracked -> [String: Any] in
            let email = tracked.tracking
            return [
                "message_short": String(email.messageId.lowercasedString.prefix(8)), "recipient_email": email.recipientEmail,
                "recipientParam": ConsoleRenderer.queryValue(email.recipientEmail), "recipient_type": email.recipientType.rawValue,
                "sent": ConsoleRenderer.time(email.sentAt), "delivered": ConsoleRenderer.time(email.deliveredAt),
                "opened": ConsoleRenderer.time(email.openedAt), "open_count": email.openCount > 0 ? String(email.openCount) : NSNull(),
                "clicked": ConsoleRenderer.time(email.clickedAt), "click_count": email.clickCount > 0 ? String(email.clickCount) : NSNull(),
                "bounced": ConsoleRenderer.time(email.bouncedAt), "bounce_type": ConsoleRenderer.text(email.bounceType?.rawValue),
                "bounce_reason": ConsoleRenderer.text(email.bounceReason),
            ]
        }
        page["tracking"] = trackingContexts
        page["hasTracking"] = !trackingContexts.isEmpty
        let held = try await heldCount
        page["hasHeld"] = held > 0
        page["heldCount"] = held
        return consolePage("thread", title: thread.subject, nav: "discussions", context: page, access: access)
    }

    /// The open rate as `herald_tracking_stats_for_thread` prints it: two decimals, `0` when nothing was sent.
    static func percentage(_ stats: TrackingStats) -> String {
        stats.sent == 0 ? "0" : String(format: "%.2f", stats.openRate)
    }

    /// `POST /admin/inbound/{id}/release` (``InboundReplyService/release(inboundId:)``, the path
    /// `herald inbound release` takes) and `…/discard` (note optional).
    func consoleInboundAction(_ request: Request, context: ConsoleRequestContext, release: Bool) async throws -> Response {
        let access = try context.access()
        let id = try Self.consoleUUID(context, what: "inbound email")
        let outcome: String
        if release {
            do {
                try await inbound.release(inboundId: id, by: access.actor)
                logConsoleAction("release_inbound")
                outcome = "released"
            } catch let error as DeliveryError where error.code == .notFound || error.code == .notReleasable {
                outcome = "not-released"
            }
        } else {
            let note = context.form["note"] ?? ""
            guard note.count <= 2000 else { throw Refusal(Self.text(.badRequest, "the note is longer than 2,000 characters")) }
            let discarded = try await inbound.discard(inboundId: id, by: access.actor, note: note)
            if discarded { logConsoleAction("discard_inbound") }
            outcome = discarded ? "discarded" : "not-discarded"
        }
        return consoleRedirect("/admin/discussions?done=\(outcome)")
    }
}
