import HummingbirdAuth
import Hummingbird
import NIOCore

/// The request context of the `/admin` routes: the server's context, the caller's
/// ``ConsoleAccess`` (the identity ``ConsoleAuthenticator`` sets) and, on a POST, the decoded form
/// (``ConsoleFormReader``).
struct ConsoleRequestContext: ChildRequestContext, AuthRequestContext, RemoteAddressRequestContext {
    typealias ParentContext = HeraldRequestContext
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    var identity: ConsoleAccess?
    /// The POST body as a form; empty until the form reader ran.
    var form = ConsoleForm.empty

    init(context: HeraldRequestContext) {
        // The parent's storage as it is: it holds the route's parameters, already matched.
        self.coreContext = context.coreContext
        self.remoteAddress = context.remoteAddress
    }

    /// The caller's access (every `/admin` route has one: the authenticator sets it or refuses).
    func access() throws -> ConsoleAccess { try requireIdentity() }
}
