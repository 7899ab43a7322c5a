import HeraldJSON

/// Why a JSON value is not a Postmark send request: a member of the wrong type. The sandbox
/// answers it as Postmark does, ErrorCode 402 for a whole body and 300 for a batch element.
struct PostmarkRequestShapeError: Error, Sendable, Equatable {
    /// The member, e.g. `To` or `Headers[1].Name`; empty for the value itself.
    let member: String
    /// What was wrong with it.
    let message: String
}

extension PostmarkEmailRequest {
    /// Reads a request with the rules of the `Decodable` form: the value must be an object; a
    /// member that is absent or `null` is nil; a member of another type than expected fails the
    /// request; each of `Headers` needs string `Name` and `Value`; `Metadata` values may be any
    /// scalar (numbers as `JSONDecoder` reads `Int` then `Double`, `null` as "").
    init(json: JSONValue) throws(PostmarkRequestShapeError) {
        guard case .object(let members) = json else {
            throw PostmarkRequestShapeError(member: "", message: "the request is not a JSON object")
        }
        self.init()
        for (key, value) in members {
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
            case "TrackLinks": trackLinks = try Self.string(value, key)
            default: continue
            }
        }
    }

    /// The messages of a `POST /email/batch` body: nil when the value is not an array; an element
    /// that is not a valid request is nil on its own.
    static func batch(json: JSONValue) -> [PostmarkEmailRequest?]? {
        guard case .array(let elements) = json else { return nil }
        return elements.map { try? PostmarkEmailRequest(json: $0) }
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

    private static func metadata(_ value: JSONValue) throws(PostmarkRequestShapeError) -> [String: String]? {
        switch value {
        case .null: return nil
        case .object(let members):
            var metadata: [String: String] = [:]
            metadata.reserveCapacity(members.count)
            for (key, value) in members {
                switch value {
                case .string(let string): metadata[key] = string
                case .int, .double:
                    if let int = value.intValue { metadata[key] = String(int) } else if let double = value.doubleValue { metadata[key] = String(double) }
                case .bool(let bool): metadata[key] = String(bool)
                case .null: metadata[key] = ""
                case .array, .object:
                    throw PostmarkRequestShapeError(member: "Metadata.\(key)", message: "metadata values must be scalars")
                }
            }
            return metadata
        default: throw PostmarkRequestShapeError(member: "Metadata", message: "expected an object")
        }
    }
}
