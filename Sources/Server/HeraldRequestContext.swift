import Hummingbird
import NIOCore

/// The request context of `herald serve`: Hummingbird's core storage plus the TCP peer address
/// (the client, or the proxy in front of Herald), from which ``ClientAddressResolver`` derives the
/// client IP.
struct HeraldRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
