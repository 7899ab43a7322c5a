import Foundation
import Mail
import Postgres

/// A discussion message with what the fan-out needs of its thread, read from the database.
struct DiscussionMessageRecord: Sendable {
    /// A participant who receives the message.
    struct Recipient: Sendable {
        var email: String
        var name: String?
        var recipientType: DiscussionEmailTracking.RecipientType
    }

    var id: UUID
    var threadId: UUID
    var tenantId: UUID
    var subject: String
    var body: String
    var source: String
    var authorUserId: UUID?
    var authorEmail: String?
    var authorName: String?

    /// Most earlier messages walked for the ancestor chain (the latest ones; References is capped anyway).
    static let maximumThreadMessages = 1000

    static func load(_ id: UUID, pool: PostgresPool) async throws -> DiscussionMessageRecord? {
        let rows = try await pool.query(
            """
            SELECT m.id, m.thread_id, t.tenant_id, t.subject, m.body, m.source, m.author_user_id, m.author_email, m.author_name
              FROM communication_messages m JOIN communication_threads t ON t.id = m.thread_id
             WHERE m.id = $1
            """, [id])
        guard let row = rows.first else { return nil }
        return DiscussionMessageRecord(
            id: try row.decode(UUID.self, column: "id"), threadId: try row.decode(UUID.self, column: "thread_id"),
            tenantId: try row.decode(UUID.self, column: "tenant_id"), subject: try row.decode(String.self, column: "subject"),
            body: try row.decode(String.self, column: "body"), source: try row.decode(String.self, column: "source"),
            authorUserId: try row.decode(UUID?.self, column: "author_user_id"),
            authorEmail: try row.decode(String?.self, column: "author_email"),
            authorName: try row.decode(String?.self, column: "author_name"))
    }

    /// The thread's participants except the author.
    func recipients(pool: PostgresPool) async throws -> [Recipient] {
        let rows = try await pool.query(
            """
            SELECT email, name, recipient_type FROM communication_thread_participants
             WHERE thread_id = $1
               AND NOT ($2::uuid IS NOT NULL AND user_id IS NOT DISTINCT FROM $2::uuid)
               AND NOT ($3::text IS NOT NULL AND lower(email) = lower($3::text))
             ORDER BY created_at, email
            """, [threadId, authorUserId, authorEmail])
        return try rows.compactMap { row in
            guard let type = DiscussionEmailTracking.RecipientType(rawValue: try row.decode(String.self, column: "recipient_type")) else { return nil }
            return Recipient(email: try row.decode(String.self, column: "email"), name: try row.decode(String?.self, column: "name"), recipientType: type)
        }
    }

    /// The chain this message answers, oldest (the thread root) first. A message's parent is its
    /// `parent_message_id`, or else the message posted just before it in the thread.
    ///
    /// A message Herald emailed is referenced by its Herald Message-ID; one received by email by
    /// the Message-ID it arrived with, followed by the Herald Message-ID of the copies Herald sent
    /// on to the other participants (so every recipient finds an id it knows).
    func ancestors(pool: PostgresPool) async throws -> [EmailAncestor] {
        let rows = try await pool.query(
            """
            SELECT * FROM (
                SELECT m.id, m.parent_message_id, m.email_message_id, m.source, m.created_at
                  FROM communication_messages m, communication_messages self
                 WHERE self.id = $3 AND m.thread_id = $1 AND (m.created_at, m.id) <= (self.created_at, self.id)
                 ORDER BY m.created_at DESC, m.id DESC LIMIT $2::integer) latest
             ORDER BY created_at, id
            """, [threadId, Self.maximumThreadMessages, id])
        struct Node { var parent: UUID?; var previous: UUID?; var messageID: String?; var source: String }
        var nodes: [UUID: Node] = [:]
        var previous: UUID?
        for row in rows {
            let id = try row.decode(UUID.self, column: "id")
            nodes[id] = Node(
                parent: try row.decode(UUID?.self, column: "parent_message_id"), previous: previous,
                messageID: try row.decode(String?.self, column: "email_message_id"), source: try row.decode(String.self, column: "source"))
            previous = id
        }
        var chain: [EmailAncestor] = []
        var visited: Set<UUID> = [id]
        var current = nodes[id].flatMap { $0.parent ?? $0.previous }
        while let ancestorID = current, !visited.contains(ancestorID), let node = nodes[ancestorID] {
            visited.insert(ancestorID)
            if node.source == "email" {
                chain.append(.herald(messageID: ancestorID))
                if let header = node.messageID { chain.append(.received(messageIDHeader: header)) }
            } else {
                chain.append(.herald(messageID: ancestorID))
            }
            current = node.parent ?? node.previous
        }
        return chain.reversed()
    }
}
