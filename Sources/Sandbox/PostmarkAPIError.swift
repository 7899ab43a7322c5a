import HeraldJSON

/// A Postmark API error body, `{"ErrorCode": …, "Message": …}`, with the HTTP status it travels with.
struct PostmarkAPIError: Error, Sendable, Equatable, Encodable {
    var errorCode: Int
    var message: String
    /// HTTP status when answered on its own (batch elements always travel in a 200).
    var httpStatus: Int = 422

    enum CodingKeys: String, CodingKey {
        case errorCode = "ErrorCode"
        case message = "Message"
    }

    /// Writes the body, `{"ErrorCode": …, "Message": …}` (the status travels in the response line).
    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("ErrorCode", errorCode)
            writer.member("Message", message)
        }
    }

    static func invalidRequest(_ message: String) -> Self { .init(errorCode: 300, message: message) }

    static let badToken = PostmarkAPIError(
        errorCode: 10,
        message: "The Server API token supplied in the X-Postmark-Server-Token header is missing or not valid.",
        httpStatus: 401)

    static let jsonRequired = PostmarkAPIError(
        errorCode: 409,
        message: "JSON request required: your HTTP request does not have the Accept and Content-Type headers set to application/json.")

    /// ErrorCode 403, "Incompatible JSON": valid JSON that is not the shape of a send request.
    static func incompatibleJSON(_ shape: PostmarkRequestShapeError) -> Self {
        let member = shape.member.isEmpty ? "the request" : "'\(shape.member)'"
        return .init(errorCode: 403, message: "Incompatible JSON input: \(member) \(shape.message).")
    }

    /// ErrorCode 411, "Forbidden attachment type".
    static func forbiddenAttachment(_ name: String) -> Self {
        .init(errorCode: 411, message: "Forbidden attachment type: '\(name)'. Attachments need a file extension that Postmark accepts.")
    }

    /// A `MessageStream` that does not exist on the server, or cannot send (an inbound stream).
    /// The code is the sandbox's choice (Postmark's Message Streams errors are numbered 1221–1236).
    static func messageStream(_ stream: String, inbound: Bool) -> Self {
        inbound
            ? .init(errorCode: 1236, message: "The message stream '\(stream)' is an inbound stream: it cannot send email.")
            : .init(errorCode: 1235, message: "The message stream for the provided 'ID' was not found: '\(stream)'.")
    }

    /// A body larger than Postmark takes on this endpoint (10 MB for `/email`, 50 MB for `/email/batch`).
    static func payloadTooLarge(limit: Int) -> Self {
        .init(errorCode: 300, message: "Invalid email request: the request body is larger than \(limit / 1_000_000) MB.")
    }

    static let invalidJSON = PostmarkAPIError(errorCode: 402, message: "Received invalid JSON input.")

    static let tooManyBatchMessages = PostmarkAPIError(
        errorCode: 410, message: "Too many batch messages: a batch may contain at most 500 messages.")

    static func inactiveRecipients(_ addresses: [String]) -> Self {
        .init(
            errorCode: 406,
            message: "You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: "
                + addresses.joined(separator: ", ")
                + ". Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression."
        )
    }

    /// The body for an injected failure with this HTTP status.
    static func injected(status: Int) -> Self {
        switch status {
        case 401: return .init(errorCode: 10, message: badToken.message, httpStatus: 401)
        case 422: return .init(errorCode: 300, message: "Invalid email request (sandbox-injected).", httpStatus: 422)
        case 429: return .init(errorCode: 429, message: "Rate limit exceeded (sandbox-injected).", httpStatus: 429)
        default: return .init(errorCode: status, message: "Server error (sandbox-injected HTTP \(status)).", httpStatus: status)
        }
    }
}
