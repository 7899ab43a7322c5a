import HTTPTypes
import Hummingbird

/// A request refused with a ready answer: a status and a one-line reason (plus whatever headers
/// the refusal needs, such as `WWW-Authenticate` or `Location`).
///
/// Authenticators, guards and handlers throw it from any depth; ``RefusalMiddleware``, first in
/// every route group, turns it back into its answer, so the metrics middleware around the group
/// sees an answered request, not an error. Should one escape anyway, it is an
/// `HTTPResponseError`, and Hummingbird's router answers it the same way.
struct Refusal: Error, HTTPResponseError {
    /// The answer.
    let answer: Response

    /// A refusal answering `answer`.
    init(_ answer: Response) {
        self.answer = answer
    }

    var status: HTTPResponse.Status { answer.status }

    func response(from request: Request, context: some RequestContext) throws -> Response { answer }
}
