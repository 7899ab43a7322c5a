/// One element of a Postmark request's `Attachments`: `{"Name", "Content" (base64), "ContentType", "ContentID"}`.
public struct PostmarkAttachment: Sendable, Hashable {
    /// `Name`: the file name Postmark checks the extension of.
    public var name: String
    /// `Content`: the file, base64.
    public var content: String
    /// `ContentType`, e.g. `image/png`.
    public var contentType: String
    /// `ContentID` for inline images (`cid:`), if any.
    public var contentID: String?

    /// Creates an attachment.
    public init(name: String, content: String, contentType: String, contentID: String? = nil) {
        self.name = name
        self.content = content
        self.contentType = contentType
        self.contentID = contentID
    }

    /// File extensions Postmark refuses (ErrorCode 411, "Forbidden attachment type"), from the
    /// "Attachments" section of https://postmarkapp.com/developer/user-guide/send-email-with-api.
    static let forbiddenExtensions: Set<String> = [
        "vbs", "exe", "bin", "bat", "chm", "com", "cpl", "crt", "hlp", "hta", "inf", "ins", "isp", "jse", "lnk",
        "mdb", "pcd", "pif", "reg", "scr", "sct", "shs", "vbe", "vba", "wsf", "wsh", "wsl", "msc", "msi", "msp",
        "mst",
    ]

    /// True when `name` has an extension and it is not a forbidden one (stricter than Postmark: a
    /// name without any extension is refused too).
    static func isAllowedName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), name.index(after: dot) < name.endIndex else { return false }
        return !forbiddenExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Strict RFC 4648 base64: alphabet `A–Z a–z 0–9 + /`, length a multiple of 4, `=` padding only at the end.
    static func isBase64(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return false }
        var padding = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return false }
            case UInt8(ascii: "="):
                padding += 1
                if padding > 2 || index < bytes.count - 2 { return false }
            default:
                return false
            }
        }
        return true
    }
}

/// The kind of a Postmark message stream (Message Streams API: `Transactional`, `Broadcasts`, `Inbound`).
public enum PostmarkStreamType: String, Sendable, Hashable {
    case transactional = "Transactional"
    case broadcasts = "Broadcasts"
    case inbound = "Inbound"
}
