package import HeraldJSON
import Mail

extension PostmarkClient {
    /// Maps Postmark's answer to `POST /email` onto a result. Pure: exposed for tests and for
    /// callers with their own transport.
    ///
    /// A body with an `ErrorCode` is classified by status and code; a 2xx body without one is an
    /// unreadable answer (retryable, operator alert); any other status without a readable body is
    /// classified by its status alone.
    public static func result(httpStatus: Int, body: [UInt8]) -> PostmarkSendResult {
        let answer = PostmarkAnswer(parsing: body)
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
        let answers = PostmarkAnswer.batch(parsing: body)
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

/// Postmark's send answer (or error body), read leniently: a field of the wrong type counts as
/// absent, and an element that is not an object reads with every field absent, so one odd
/// element of a batch answer never hides the others.
///
/// Read through ``HeraldJSON``; the `Decodable` form, with the same rules, stays for comparison
/// (tests, `herald bench json`).
package struct PostmarkAnswer: Decodable, Sendable, Equatable {
    package var to: String?
    package var submittedAt: String?
    package var messageID: String?
    package var errorCode: Int?
    package var message: String?

    /// The same members, under the same names, as ``PostmarkSendResponse``.
    typealias CodingKeys = PostmarkSendResponse.CodingKeys

    /// The answer in `body`, or nil when it is not JSON. A JSON value that is not an object
    /// gives an answer with every field absent.
    package init?(parsing body: [UInt8]) {
        guard let json = try? JSONValue(parsing: body) else { return nil }
        self.init(json: json)
    }

    /// The answers of a batch, or nil when `body` is not a JSON array.
    package static func batch(parsing body: [UInt8]) -> [PostmarkAnswer]? {
        guard case .array(let elements)? = try? JSONValue(parsing: body) else { return nil }
        return elements.map(PostmarkAnswer.init(json:))
    }

    /// Reads the known members of an object; `ErrorCode` follows `JSONDecoder`'s `Int` rule
    /// (`0.0` is 0, `0.5` is absent).
    package init(json: JSONValue) {
        guard case .object(let members) = json else { return }
        for (key, value) in members {
            switch key {
            case "To": to = value.stringValue
            case "SubmittedAt": submittedAt = value.stringValue
            case "MessageID": messageID = value.stringValue
            case "ErrorCode": errorCode = value.intValue
            case "Message": message = value.stringValue
            default: continue
            }
        }
    }

    package init(from decoder: any Decoder) throws {
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
