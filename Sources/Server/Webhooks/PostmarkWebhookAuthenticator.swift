import Curl
import HummingbirdAuth
import Hummingbird

/// Who sent a Postmark webhook: the caller that presented the configured webhook login.
struct PostmarkWebhookCaller: Sendable {
    /// The login's user name.
    let user: String
}

/// The context of the `/webhooks/postmark` routes.
typealias PostmarkWebhookContext = AuthenticatedRequestContext<PostmarkWebhookCaller>

/// Authenticates Postmark's webhooks by the basic-auth login configured on them
/// (`HERALD_POSTMARK_WEBHOOK_USER`/`PASSWORD`, compared in constant time). Without a configured
/// login nobody is authenticated. A ``RequireIdentityMiddleware`` after it refuses the rest with
/// ``HeraldServer/unauthorized``.
struct PostmarkWebhookAuthenticator: AuthenticatorMiddleware {
    typealias Context = PostmarkWebhookContext
    let credentials: BasicAuth?

    func authenticate(request: Request, context: Context) async throws -> PostmarkWebhookCaller? {
        guard let credentials, BasicCredentials.match(request, credentials) else { return nil }
        return PostmarkWebhookCaller(user: credentials.username)
    }
}
