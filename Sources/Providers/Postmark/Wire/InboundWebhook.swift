public import HeraldJSON
import Synchronization

/// One inbound webhook body, parsed and split for storing: the payload and the JSON to keep in
/// `inbound_emails.raw` (both without attachment contents), and the base64 contents, each handed
/// out once (``takeContent(at:)``) so that its text can be freed as soon as it is decoded. A
/// 30 MB webhook therefore never holds its attachments twice over in memory.
public final class InboundWebhook: Sendable {
    /// The payload; every attachment's `content` is nil (see ``takeContent(at:)``).
    public let payload: PostmarkInboundPayload
    /// The body as stored in `inbound_emails.raw` (``PostmarkInboundPayload/storedRaw(_:)``).
    public let raw: JSONValue
    private let contents: Mutex<[String?]>

    /// Takes the parsed body out of `json` (set to nil, so the caller keeps no second copy).
    public init(taking json: inout JSONValue?) {
        let value = json ?? .object([])
        json = nil
        var payload = PostmarkInboundPayload(json: value)
        var contents: [String?] = []
        if var attachments = payload.attachments {
            for index in attachments.indices {
                contents.append(attachments[index].content)
                attachments[index].content = nil
            }
            payload.attachments = attachments
        }
        self.payload = payload
        self.raw = PostmarkInboundPayload.storedRaw(value)
        self.contents = Mutex(contents)
    }

    /// Parses a webhook body.
    /// - Throws: `JSONParseError` when it is not JSON.
    public convenience init(parsing bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var json: JSONValue? = try JSONValue(parsing: bytes)
        self.init(taking: &json)
    }

    /// The base64 content of attachment `index`, once; nil afterwards or when there was none.
    public func takeContent(at index: Int) -> String? {
        contents.withLock { contents in
            guard contents.indices.contains(index) else { return nil }
            defer { contents[index] = nil }
            return contents[index]
        }
    }

    /// Whether the body was a JSON object (anything else is stored as a failed webhook).
    public var isObject: Bool {
        if case .object = raw { return true }
        return false
    }
}
