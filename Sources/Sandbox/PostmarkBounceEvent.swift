public import Foundation

/// Postmark's Bounce webhook, and its SpamComplaint webhook (the same record with `RecordType`
/// `"SpamComplaint"` and `Type` `"SpamComplaint"`; build one with ``spamComplaint(email:messageID:complainedAt:tag:metadata:from:subject:messageStream:)``).
public struct PostmarkBounceEvent: PostmarkWebhookPayload, Hashable {
    /// `RecordType`: `"SpamComplaint"` for a complaint, otherwise `"Bounce"`.
    public var recordType: String { type == .spamComplaint ? "SpamComplaint" : "Bounce" }
    /// `ID`: Postmark's bounce ID.
    public var id: Int
    /// `Type` (and, derived from it, `TypeCode` and `Name`).
    public var type: PostmarkBounceType
    /// `Tag` of the sent message.
    public var tag: String
    /// `MessageID` of the sent message.
    public var messageID: String
    /// `ServerID`.
    public var serverID: Int
    /// `MessageStream`.
    public var messageStream: String
    /// `Description`: what the type means.
    public var description: String
    /// `Details`: the receiving server's words.
    public var details: String
    /// `Email`: the recipient that bounced.
    public var email: String
    /// `From`: the sender of the message.
    public var from: String
    /// `BouncedAt`.
    public var bouncedAt: Date
    /// `DumpAvailable`.
    public var dumpAvailable: Bool
    /// `Inactive`: whether Postmark deactivated the address.
    public var inactive: Bool
    /// `CanActivate`.
    public var canActivate: Bool
    /// `Subject` of the sent message.
    public var subject: String
    /// `Content`: the raw bounce (empty here).
    public var content: String
    /// `Metadata` of the sent message.
    public var metadata: [String: String]

    /// Creates a bounce. `description` defaults to the type's summary, `inactive` to whether Postmark
    /// deactivates addresses on that type.
    public init(
        type: PostmarkBounceType = .hardBounce, email: String, messageID: String,
        details: String = "smtp;550 5.1.1 The email account that you tried to reach does not exist (sandbox)",
        description: String? = nil, bouncedAt: Date = Date(), tag: String = "", metadata: [String: String] = [:],
        from: String = "", subject: String = "", messageStream: String = "outbound",
        id: Int = Int.random(in: 1...Int(Int32.max)), serverID: Int = 1, inactive: Bool? = nil,
        canActivate: Bool = true, dumpAvailable: Bool = false, content: String = ""
    ) {
        self.type = type
        self.email = email
        self.messageID = messageID
        self.details = details
        self.description = description ?? type.summary
        self.bouncedAt = bouncedAt
        self.tag = tag
        self.metadata = metadata
        self.from = from
        self.subject = subject
        self.messageStream = messageStream
        self.id = id
        self.serverID = serverID
        self.inactive = inactive ?? type.deactivatesRecipient
        self.canActivate = canActivate
        self.dumpAvailable = dumpAvailable
        self.content = content
    }

    /// A bounce of a message the sandbox accepted, for `email` (default: its first To address), carrying its
    /// MessageID, Tag, Metadata, From, Subject and MessageStream.
    public init(
        type: PostmarkBounceType = .hardBounce, of sent: SandboxEmail, email: String? = nil,
        details: String = "smtp;550 5.1.1 The email account that you tried to reach does not exist (sandbox)",
        bouncedAt: Date = Date()
    ) {
        self.init(
            type: type, email: email ?? sent.toAddresses.first ?? sent.to, messageID: sent.messageID,
            details: details, bouncedAt: bouncedAt, tag: sent.tag ?? "", metadata: sent.metadata, from: sent.from,
            subject: sent.subject, messageStream: sent.messageStream ?? "outbound")
    }

    /// Postmark's SpamComplaint webhook for one recipient.
    public static func spamComplaint(
        email: String, messageID: String, complainedAt: Date = Date(), tag: String = "",
        metadata: [String: String] = [:], from: String = "", subject: String = "", messageStream: String = "outbound"
    ) -> PostmarkBounceEvent {
        PostmarkBounceEvent(
            type: .spamComplaint, email: email, messageID: messageID, details: "Test spam complaint details (sandbox)",
            bouncedAt: complainedAt, tag: tag, metadata: metadata, from: from, subject: subject,
            messageStream: messageStream, canActivate: false, dumpAvailable: true)
    }

    enum CodingKeys: String, CodingKey {
        case recordType = "RecordType", id = "ID", type = "Type", typeCode = "TypeCode", name = "Name", tag = "Tag"
        case messageID = "MessageID", serverID = "ServerID", messageStream = "MessageStream"
        case description = "Description", details = "Details", email = "Email", from = "From"
        case bouncedAt = "BouncedAt", dumpAvailable = "DumpAvailable", inactive = "Inactive"
        case canActivate = "CanActivate", subject = "Subject", content = "Content", metadata = "Metadata"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recordType, forKey: .recordType)
        try container.encode(id, forKey: .id)
        try container.encode(type.rawValue, forKey: .type)
        try container.encode(type.typeCode, forKey: .typeCode)
        try container.encode(type.displayName, forKey: .name)
        try container.encode(tag, forKey: .tag)
        try container.encode(messageID, forKey: .messageID)
        try container.encode(serverID, forKey: .serverID)
        try container.encode(messageStream, forKey: .messageStream)
        try container.encode(description, forKey: .description)
        try container.encode(details, forKey: .details)
        try container.encode(email, forKey: .email)
        try container.encode(from, forKey: .from)
        try container.encode(bouncedAt, forKey: .bouncedAt)
        try container.encode(dumpAvailable, forKey: .dumpAvailable)
        try container.encode(inactive, forKey: .inactive)
        try container.encode(canActivate, forKey: .canActivate)
        try container.encode(subject, forKey: .subject)
        try container.encode(content, forKey: .content)
        try container.encode(metadata, forKey: .metadata)
    }
}
