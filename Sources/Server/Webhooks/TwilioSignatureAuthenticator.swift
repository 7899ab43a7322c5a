import HTTPTypes
import HummingbirdAuth
import Hummingbird
import Providers

/// A Twilio webhook whose `X-Twilio-Signature` checked out: the form parameters it signed.
struct SignedTwilioRequest: Sendable {
    /// The decoded form body, in order.
    let parameters: [(name: String, value: String)]
}

/// The context of the `/webhooks/twilio` routes.
typealias TwilioWebhookContext = AuthenticatedRequestContext<SignedTwilioRequest>

/// Authenticates Twilio's webhooks by their signature: `X-Twilio-Signature` must be
/// Base64(HMAC-SHA1(`TWILIO_AUTH_TOKEN`, `HERALD_PUBLIC_URL` + path + sorted parameters))
/// (``TwilioSignature``). The signature covers the body, so this reads it (at most `maximumBodySize`)
/// and hands the verified parameters on as the identity; the handler reads no body.
///
/// Refusals, in this order: 503 without an auth token, 413 too large a body, 400 a body that is
/// not a form, 403 a missing or wrong signature.
struct TwilioSignatureAuthenticator: AuthenticatorMiddleware {
    typealias Context = TwilioWebhookContext
    let authToken: String?
    let publicURL: String
    let maximumBodySize: Int

    func authenticate(request: Request, context: Context) async throws -> SignedTwilioRequest? {
        guard let authToken else {
            throw Refusal(HeraldServer.text(.serviceUnavailable, "Twilio callbacks are not configured (TWILIO_AUTH_TOKEN)"))
        }
        let body = try await request.boundedBody(limit: maximumBodySize)
        guard let parameters = FormURLEncoding.decode(String(buffer: body)) else {
            throw Refusal(HeraldServer.text(.badRequest, "malformed form body"))
        }
        let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!] ?? ""
        let url = publicURL + request.uri.description
        guard !signature.isEmpty, TwilioSignature.verify(signature: signature, url: url, params: parameters, authToken: authToken) else {
            throw Refusal(HeraldServer.text(.forbidden, "invalid X-Twilio-Signature"))
        }
        return SignedTwilioRequest(parameters: parameters)
    }
}
