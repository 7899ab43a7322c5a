import Hummingbird
public import NIOCore

/// The request context of `herald serve`: Hummingbird's core storage plus the TCP peer address
/// (the client, or the proxy in front of Herald), from which ``ClientAddressResolver`` derives the
/// client IP.
public struct HeraldRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
