import HeraldJSON
import struct Providers.PostmarkHeader

/// Why a JSON value is not a Postmark send request: a member of the wrong type, an unknown member,
/// or a `TrackLinks` value outside its enumeration. The sandbox answers it with ErrorCode 403
/// ("Incompatible JSON": syntactically valid JSON that is not the expected shape).
struct PostmarkRequestShapeError: Error, Sendable, Equatable {
    /// The member, e.g. `To` or `Headers[1].Name`; empty for the value itself.
    let member: String
    /// What was wrong with it.
    let message: String
}

extension PostmarkEmailRequest {
    /// Reads a request strictly: the value must be an object of known members; a member that is
    /// absent or `null` is nil; a member of another type than expected fails the request; each of
    /// `Headers` needs string `Name` and `Value`; `Metadata` values must be strings; `TrackOpens`
    /// a boolean; `TrackLinks` one of Postmark's four values; each of `Attachments` an object with
    /// string `Name`, `Content`, `ContentType` and optional string `ContentID`.
    init(json: JSONValue) throws(PostmarkRequestShapeError) {
        guard case .object(let members) = json else {
            throw PostmarkRequestShapeError(member: "", message: "the request is not a JSON object")
        }
        self.init()
        var seen: Set<String> = []
        for (key, value) in members {
            guard seen.insert(key.lowercased()).inserted else {
                throw PostmarkRequestShapeError(member: key, message: "appears twice")
            }
            switch key {
            case "From": from = try Self.string(value, key)
            case "To": to = try Self.string(value, key)
            case "Cc": cc = try Self.string(value, key)
            case "Bcc": bcc = try Self.string(value, key)
            case "Subject": subject = try Self.string(value, key)
            case "HtmlBody": htmlBody = try Self.string(value, key)
            case "TextBody": textBody = try Self.string(value, key)
            case "ReplyTo": replyTo = try Self.string(value, key)
            case "Headers": headers = try Self.headers(value)
            case "Tag": tag = try Self.string(value, key)
            case "Metadata": metadata = try Self.metadata(value)
            case "MessageStream": messageStream = try Self.string(value, key)
            case "TrackOpens":
                switch value {
                case .null: trackOpens = nil
                case .bool(let bool): trackOpens = bool
                default: throw PostmarkRequestShapeError(member: key, message: "expected a boolean")
                }
            case "TrackLinks":
                trackLinks = try Self.string(value, key)
                if let trackLinks, !Self.trackLinksValues.contains(trackLinks) {
                    throw PostmarkRequestShapeError(member: key, message: "must be one of None, HtmlAndText, HtmlOnly, TextOnly")
                }
            case "Attachments": attachments = try Self.attachments(value)
            default: throw PostmarkRequestShapeError(member: key, message: "is not a member of Postmark's send request")
            }
        }
    }

    /// The messages of a `POST /email/batch` body: nil when the value is not an array; an element
    /// that is not a valid request is nil on its own.
    static func batch(json: JSONValue) -> [Result<PostmarkEmailRequest, PostmarkRequestShapeError>]? {
        guard case .array(let elements) = json else { return nil }
        return elements.map { element in Result { () throws(PostmarkRequestShapeError) in try PostmarkEmailRequest(json: element) } }
    }

    private static func string(_ value: JSONValue, _ member: String) throws(PostmarkRequestShapeError) -> String? {
        switch value {
        case .null: return nil
        case .string(let string): return string
        default: throw PostmarkRequestShapeError(member: member, message: "expected a string")
        }
    }

    private static func headers(_ value: JSONValue) throws(PostmarkRequestShapeError) -> [PostmarkHeader]? {
        switch value {
        case .null: return nil
        case .array(let elements):
            var headers: [PostmarkHeader] = []
            headers.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                guard case .string(let name)? = element["Name"], case .string(let value)? = element["Value"] else {
                    throw PostmarkRequestShapeError(member: "Headers[\(index)]", message: "expected an object with string Name and Value")
                }
                headers.append(PostmarkHeader(name: name, value: value))
            }
            return headers
        default: throw PostmarkRequestShapeError(member: "Headers", message: "expected an array")
        }
    }

    private static func attachments(_ value: JSONValue) throws(PostmarkRequestShapeError) -> [PostmarkAttachment]? {
        switch value {
        case .null: return nil
        case .array(let elements):
            var attachments: [PostmarkAttachment] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let name)? = element["Name"], case .string(let content)? = element["Content"],
                    case .string(let contentType)? = element["ContentType"]
                else {
                    throw PostmarkRequestShapeError(member: "Attachments[\(index)]", message: "expected an object with string Name, Content and ContentType")
                }
                var contentID: String?
                switch element["ContentID"] {
                case nil, .null?: contentID = nil
                case .string(let id)?: contentID = id
                default: throw PostmarkRequestShapeError(member: "Attachments[\(index)].ContentID", message: "expected a string")
                }
                attachments.append(PostmarkAttachment(name: name, content: content, contentType: contentType, contentID: contentID))
            }
            return attachments
        default: throw PostmarkRequestShapeError(member: "Attachments", message: "expected an array")
        }
    }

    private static func metadata(_ value: JSONValue) throws(PostmarkRequestShapeError) -> [String: String]? {
        switch value {
        case .null: return nil
        case .object(let members):
            var metadata: [String: String] = [:]
            metadata.reserveCapacity(members.count)
            for (key, value) in members {
                // Postmark: "duplicate keys, including the same key with case differences, are not allowed".
                guard !metadata.keys.contains(where: { $0.lowercased() == key.lowercased() }) else {
                    throw PostmarkRequestShapeError(member: "Metadata.\(key)", message: "duplicate metadata name (names are compared without case)")
                }
                switch value {
                case .string(let string): metadata[key] = string
                default:
                    throw PostmarkRequestShapeError(member: "Metadata.\(key)", message: "metadata values must be strings")
                }
            }
            return metadata
        default: throw PostmarkRequestShapeError(member: "Metadata", message: "expected an object")
        }
    }
}
