public import Foundation
public import Mail
import Postgres

/// The DiscussionEmailTracking model: one row of `discussion_email_tracking`, i.e. one recipient
/// of one outbound discussion email, with what happened to that email.
///
/// Read and changed through `DiscussionEmailTrackingStore` (single events) and
/// `TrackingEventRecorder` (batched opens and clicks).
public struct DiscussionEmailTracking: Sendable, Hashable, Identifiable {
    /// Who the recipient is to the thread (`recipient_type`); the one ``Discussions/RecipientType``.
    public typealias RecipientType = Discussions.RecipientType
    /// What kind of bounce was recorded (`bounce_type`); the one ``Mail/BounceType``.
    public typealias BounceType = Mail.BounceType

    public var id: UUID
    /// The communication thread.
    public var threadId: UUID
    /// The message this email carried.
    public var messageId: UUID
    public var recipientEmail: String
    public var recipientType: RecipientType
    /// The unique id of this email's 1×1 tracking pixel (and the key of its click links).
    public var trackingPixelId: String
    /// Postmark's MessageID of this email, once sent.
    public var providerMessageId: String?
    /// The Message-ID header this email was sent with, angle brackets included.
    public var emailMessageId: String?
    /// When the email was dispatched.
    public var sentAt: Date?
    /// When the provider first confirmed delivery.
    public var deliveredAt: Date?
    /// The first (earliest) open.
    public var openedAt: Date?
    public var openCount: Int
    /// The first (earliest) click.
    public var clickedAt: Date?
    public var clickCount: Int
    /// When it bounced (or was marked as spam).
    public var bouncedAt: Date?
    public var bounceType: BounceType?
    /// The provider's error or reason.
    public var bounceReason: String?
    /// User agent of the latest open or click.
    public var userAgent: String?
    /// IP address of the latest open or click; nil when it sent none or an invalid one.
    public var ipAddress: String?
    public var createdAt: Date

    /// A row as the database would hold it (for tests and callers that build one in memory).
    public init(
        id: UUID = UUID(), threadId: UUID, messageId: UUID, recipientEmail: String, recipientType: RecipientType,
        trackingPixelId: String, providerMessageId: String? = nil, emailMessageId: String? = nil,
        sentAt: Date? = nil, deliveredAt: Date? = nil, openedAt: Date? = nil, openCount: Int = 0,
        clickedAt: Date? = nil, clickCount: Int = 0, bouncedAt: Date? = nil, bounceType: BounceType? = nil,
        bounceReason: String? = nil, userAgent: String? = nil, ipAddress: String? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.threadId = threadId
        self.messageId = messageId
        self.recipientEmail = recipientEmail
        self.recipientType = recipientType
        self.trackingPixelId = trackingPixelId
        self.providerMessageId = providerMessageId
        self.emailMessageId = emailMessageId
        self.sentAt = sentAt
        self.deliveredAt = deliveredAt
        self.openedAt = openedAt
        self.openCount = openCount
        self.clickedAt = clickedAt
        self.clickCount = clickCount
        self.bouncedAt = bouncedAt
        self.bounceType = bounceType
        self.bounceReason = bounceReason
        self.userAgent = userAgent
        self.ipAddress = ipAddress
        self.createdAt = createdAt
    }

    /// True for a permanent failure: a hard bounce. (A complaint is not a delivery failure,
    /// though Herald suppresses the address for it too; a soft bounce may still be delivered.)
    public func isHardBounce() -> Bool { bounceType == .hard }

    /// The row's columns, in the order `init(row:)` reads them by name.
    static let columns = """
        id, thread_id, message_id, recipient_email, recipient_type, tracking_pixel_id, provider_message_id, \
        email_message_id, sent_at, delivered_at, opened_at, open_count, clicked_at, click_count, bounced_at, \
        bounce_type, bounce_reason, user_agent, host(ip_address) AS ip_address, created_at
        """

    /// The same columns qualified by the alias `t`, for UPDATE … FROM statements.
    static let qualifiedColumns = """
        t.id, t.thread_id, t.message_id, t.recipient_email, t.recipient_type, t.tracking_pixel_id, \
        t.provider_message_id, t.email_message_id, t.sent_at, t.delivered_at, t.opened_at, t.open_count, \
        t.clicked_at, t.click_count, t.bounced_at, t.bounce_type, t.bounce_reason, t.user_agent, \
        host(t.ip_address) AS ip_address, t.created_at
        """

    init(row: PostgresRow) throws {
        let recipientTypeText = try row.decode(String.self, column: "recipient_type")
        guard let recipientType = RecipientType(rawValue: recipientTypeText) else {
            throw PostgresError(code: .decoding, message: "unknown recipient_type \(recipientTypeText)", columnName: "recipient_type")
        }
        var bounceType: BounceType?
        if let text = try row.decode(String?.self, column: "bounce_type") {
            guard let value = BounceType(rawValue: text) else {
                throw PostgresError(code: .decoding, message: "unknown bounce_type \(text)", columnName: "bounce_type")
            }
            bounceType = value
        }
        self.init(
            id: try row.decode(UUID.self, column: "id"),
            threadId: try row.decode(UUID.self, column: "thread_id"),
            messageId: try row.decode(UUID.self, column: "message_id"),
            recipientEmail: try row.decode(String.self, column: "recipient_email"),
            recipientType: recipientType,
            trackingPixelId: try row.decode(String.self, column: "tracking_pixel_id"),
            providerMessageId: try row.decode(String?.self, column: "provider_message_id"),
            emailMessageId: try row.decode(String?.self, column: "email_message_id"),
            sentAt: try row.decode(Date?.self, column: "sent_at"),
            deliveredAt: try row.decode(Date?.self, column: "delivered_at"),
            openedAt: try row.decode(Date?.self, column: "opened_at"),
            openCount: try row.decode(Int.self, column: "open_count"),
            clickedAt: try row.decode(Date?.self, column: "clicked_at"),
            clickCount: try row.decode(Int.self, column: "click_count"),
            bouncedAt: try row.decode(Date?.self, column: "bounced_at"),
            bounceType: bounceType,
            bounceReason: try row.decode(String?.self, column: "bounce_reason"),
            userAgent: try row.decode(String?.self, column: "user_agent"),
            ipAddress: try row.decode(String?.self, column: "ip_address"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}
