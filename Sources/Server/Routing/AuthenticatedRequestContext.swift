import HummingbirdAuth
import Hummingbird
import NIOCore

/// The request context of a route group whose middleware authenticates the caller: the server's
/// context (core storage, TCP peer) plus the `identity` its authenticator found, nil until then.
struct AuthenticatedRequestContext<Identity: Sendable>: ChildRequestContext, AuthRequestContext, RemoteAddressRequestContext {
    typealias ParentContext = HeraldRequestContext
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    var identity: Identity?

    init(context: HeraldRequestContext) {
        // The parent's storage as it is: it holds the route's parameters, already matched.
        self.coreContext = context.coreContext
        self.remoteAddress = context.remoteAddress
        self.identity = nil
    }
}
