import Foundation
import HTTPTypes
import HeraldJSON
import Hummingbird

/// Postmark's `POST /email` and `POST /email/batch`.
extension SandboxProviders {
    /// Postmark refuses a batch of more than this many messages as a whole.
    static let maxBatchSize = 500

    /// One element of Postmark's send response (the whole body for `/email`). Written with
    /// ``write(to:)``; the `Encodable` form, with the same members, stays for comparison.
    struct PostmarkSendResult: Encodable {
        var to: String?
        var submittedAt: String?
        var messageID: String?
        var errorCode: Int
        var message: String

        enum CodingKeys: String, CodingKey {
            case to = "To", submittedAt = "SubmittedAt", messageID = "MessageID", errorCode = "ErrorCode"
            case message = "Message"
        }

        /// Writes the members `JSONEncoder` would write: absent optionals left out.
        func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.member("To", to)
                writer.member("SubmittedAt", submittedAt)
                writer.member("MessageID", messageID)
                writer.member("ErrorCode", errorCode)
                writer.member("Message", message)
            }
        }
    }

    func addPostmarkRoutes(to router: Router<BasicRequestContext>) {
        router.post("/email") { [self] request, _ in
            try await handleEmail(request)
        }
        router.post("/email/batch") { [self] request, _ in
            try await handleBatch(request)
        }
    }

    private func handleEmail(_ request: Request) async throws -> Response {
        if let failure = try await begin(.email) { return Self.postmarkFailure(failure) }
        if let refusal = checkPostmarkRequest(request) { return Self.postmarkError(refusal) }
        guard let body = try await Self.boundedBody(request, limit: PostmarkValidator.maxMessageBytes) else {
            return Self.postmarkError(.payloadTooLarge(limit: PostmarkValidator.maxMessageBytes))
        }
        guard let json = Self.json(body) else { return Self.postmarkError(.invalidJSON) }
        let message: PostmarkEmailRequest
        do {
            message = try PostmarkEmailRequest(json: json)
        } catch {
            return Self.postmarkError(.incompatibleJSON(error))
        }
        switch accept(message, viaBatch: false) {
        case .success(let (email, result)):
            state.record(emails: [email])
            return Self.json(status: 200) { result.write(to: &$0) }
        case .failure(let error):
            return Self.postmarkError(error)
        }
    }

    private func handleBatch(_ request: Request) async throws -> Response {
        if let failure = try await begin(.batch) { return Self.postmarkFailure(failure) }
        if let refusal = checkPostmarkRequest(request) { return Self.postmarkError(refusal) }
        guard let body = try await Self.boundedBody(request, limit: PostmarkValidator.maxBatchBytes) else {
            return Self.postmarkError(.payloadTooLarge(limit: PostmarkValidator.maxBatchBytes))
        }
        guard let json = Self.json(body), let messages = PostmarkEmailRequest.batch(json: json) else {
            return Self.postmarkError(.invalidJSON)
        }
        guard !messages.isEmpty else {
            return Self.postmarkError(.invalidRequest("Invalid batch: provide at least one message."))
        }
        guard messages.count <= Self.maxBatchSize else { return Self.postmarkError(.tooManyBatchMessages) }
        var accepted: [SandboxEmail] = []
        var results: [PostmarkSendResult] = []
        results.reserveCapacity(messages.count)
        for element in messages {
            let message: PostmarkEmailRequest
            switch element {
            case .success(let read): message = read
            case .failure(let shape):
                let error = PostmarkAPIError.incompatibleJSON(shape)
                results.append(.init(errorCode: error.errorCode, message: error.message))
                continue
            }
            switch accept(message, viaBatch: true) {
            case .success(let (email, result)):
                accepted.append(email)
                results.append(result)
            case .failure(let error):
                results.append(.init(to: message.to, errorCode: error.errorCode, message: error.message))
            }
        }
        state.record(emails: accepted)
        return Self.json(status: 200) { writer in
            writer.array { writer in
                for result in results { result.write(to: &writer) }
            }
        }
    }

    /// Authentication, then `Content-Type` and `Accept` (both must be `application/json`, ErrorCode
    /// 409), checked before the body is read.
    private func checkPostmarkRequest(_ request: Request) -> PostmarkAPIError? {
        guard let token = Self.header(request, Self.postmarkTokenHeader),
            Self.secretsEqual(token, configuration.postmarkServerToken)
        else { return .badToken }
        guard Self.isJSONMediaType(request.headers[.contentType]) else { return .jsonRequired }
        guard let accept = request.headers[.accept],
            accept.split(separator: ",").contains(where: { Self.isJSONMediaType(String($0)) })
        else { return .jsonRequired }
        return nil
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), in any letter case.
    static func isJSONMediaType(_ value: String?) -> Bool {
        guard let value else { return false }
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// Validates one message and, when valid and no recipient is inactive, builds its record and result.
    private func accept(
        _ message: PostmarkEmailRequest, viaBatch: Bool
    ) -> Result<(SandboxEmail, PostmarkSendResult), PostmarkAPIError> {
        let recipients: [String]
        switch PostmarkValidator.validate(message, streams: configuration.messageStreams) {
        case .success(let list): recipients = list
        case .failure(let error): return .failure(error)
        }
        let inactive = state.inactive(among: recipients)
        guard inactive.isEmpty else { return .failure(.inactiveRecipients(inactive)) }
        let now = Date()
        let messageID = Identifier.postmarkMessageID()
        let email = SandboxEmail(
            from: message.from ?? "", to: message.to ?? "", cc: message.cc, bcc: message.bcc,
            subject: message.subject ?? "", htmlBody: message.htmlBody, textBody: message.textBody,
            replyTo: message.replyTo, headers: message.headers ?? [], tag: message.tag,
            metadata: message.metadata ?? [:], messageStream: message.messageStream,
            trackOpens: message.trackOpens, trackLinks: message.trackLinks,
            messageID: messageID, submittedAt: now, viaBatch: viaBatch
        )
        let result = PostmarkSendResult(
            to: message.to, submittedAt: Timestamp.iso8601(now), messageID: messageID, errorCode: 0, message: "OK")
        return .success((email, result))
    }

    static func postmarkError(_ error: PostmarkAPIError) -> Response {
        json(status: error.httpStatus) { error.write(to: &$0) }
    }

    static func postmarkFailure(_ failure: SandboxFailure) -> Response {
        switch failure {
        case .status(let status): postmarkError(.injected(status: status))
        }
    }
}
