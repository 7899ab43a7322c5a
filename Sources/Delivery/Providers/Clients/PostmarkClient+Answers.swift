import Foundation

extension PostmarkClient {
    /// Maps Postmark's answer to `POST /email` onto a result. Pure: exposed for tests and for
    /// callers with their own transport.
    ///
    /// A body with an `ErrorCode` is classified by status and code; a 2xx body without one is an
    /// unreadable answer (retryable, operator alert); any other status without a readable body is
    /// classified by its status alone.
    public static func result(httpStatus: Int, body: [UInt8]) -> PostmarkSendResult {
        let answer = try? JSONDecoder().decode(PostmarkAnswer.self, from: Data(body))
        if (200...299).contains(httpStatus) {
            guard let answer, let response = answer.response else {
                return PostmarkSendResult(
                    outcome: ProviderErrorClassifier.classifyUnreadableAnswer(
                        provider: "Postmark", httpStatus: httpStatus, problem: "a body that is not a Postmark send answer"),
                    httpStatus: httpStatus)
            }
            let outcome = ProviderErrorClassifier.classifyPostmark(
                httpStatus: httpStatus, errorCode: response.errorCode, message: response.message)
            return Self.result(outcome, response, httpStatus: httpStatus)
        }
        let outcome = ProviderErrorClassifier.classifyPostmark(
            httpStatus: httpStatus, errorCode: answer?.errorCode, message: answer?.message)
        return PostmarkSendResult(outcome: outcome, errorCode: answer?.errorCode, httpStatus: httpStatus)
    }

    /// Maps Postmark's answer to `POST /email/batch` for `count` messages onto one result per
    /// message, in order. Pure: exposed for tests and for callers with their own transport.
    ///
    /// A 2xx answer must be a JSON array of `count` elements; each element is classified on its
    /// own (an element without `ErrorCode` is unreadable, alone). A 2xx answer of another shape or
    /// length makes every message unreadable (retryable, operator alert). Any other status is a
    /// whole-call failure, classified once (by status and the body's `ErrorCode`) for every message.
    public static func batchResults(httpStatus: Int, body: [UInt8], count: Int) -> [PostmarkSendResult] {
        guard (200...299).contains(httpStatus) else {
            let whole = Self.result(httpStatus: httpStatus, body: body)
            return Array(repeating: whole, count: count)
        }
        let answers = try? JSONDecoder().decode([PostmarkAnswer].self, from: Data(body))
        guard let answers, answers.count == count else {
            let problem =
                answers.map { "\($0.count) results for a batch of \(count) messages" }
                ?? "a body that is not a Postmark batch answer"
            let outcome = ProviderErrorClassifier.classifyUnreadableAnswer(provider: "Postmark", httpStatus: httpStatus, problem: problem)
            return Array(repeating: PostmarkSendResult(outcome: outcome, httpStatus: httpStatus), count: count)
        }
        return answers.map { answer in
            guard let response = answer.response else {
                return PostmarkSendResult(
                    outcome: ProviderErrorClassifier.classifyUnreadableAnswer(
                        provider: "Postmark", httpStatus: httpStatus, problem: "a batch element without ErrorCode"),
                    httpStatus: httpStatus)
            }
            return Self.result(ProviderErrorClassifier.classifyPostmark(response), response, httpStatus: httpStatus)
        }
    }

    private static func result(_ outcome: ProviderOutcome, _ response: PostmarkSendResponse, httpStatus: Int) -> PostmarkSendResult {
        let accepted = outcome == .success
        return PostmarkSendResult(
            outcome: outcome,
            messageID: accepted ? response.messageID : nil,
            submittedAt: accepted ? response.submittedAt : nil,
            errorCode: response.errorCode,
            httpStatus: httpStatus)
    }
}

/// Postmark's send answer (or error body), decoded leniently: a field of the wrong type counts as
/// absent, and an element that is not an object decodes with every field absent, so one odd
/// element of a batch answer never hides the others.
struct PostmarkAnswer: Decodable, Sendable {
    var to: String?
    var submittedAt: String?
    var messageID: String?
    var errorCode: Int?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case to = "To"
        case submittedAt = "SubmittedAt"
        case messageID = "MessageID"
        case errorCode = "ErrorCode"
        case message = "Message"
    }

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else { return }
        to = try? container.decodeIfPresent(String.self, forKey: .to)
        submittedAt = try? container.decodeIfPresent(String.self, forKey: .submittedAt)
        messageID = try? container.decodeIfPresent(String.self, forKey: .messageID)
        errorCode = try? container.decodeIfPresent(Int.self, forKey: .errorCode)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }

    /// The answer as the typed response, when it carries an `ErrorCode`.
    var response: PostmarkSendResponse? {
        guard let errorCode else { return nil }
        return PostmarkSendResponse(to: to, submittedAt: submittedAt, messageID: messageID, errorCode: errorCode, message: message ?? "")
    }
}
