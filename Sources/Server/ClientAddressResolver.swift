/// Finds the client IP of a request: the TCP peer, unless the peer is a trusted proxy, in which
/// case `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first address
/// that is not one is the client (the left part of the header is client-controlled and ignored).
/// Pure.
public struct ClientAddressResolver: Sendable {
    /// Whose `X-Forwarded-For` counts.
    public let trustedProxies: TrustedProxies

    public init(trustedProxies: TrustedProxies) {
        self.trustedProxies = trustedProxies
    }

    /// The client IP for a request from `peer` carrying `forwardedFor` (every `X-Forwarded-For`
    /// value, joined by commas). Nil when the peer is unknown.
    public func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        guard let peer else { return nil }
        guard trustedProxies.contains(peer), let forwardedFor, !forwardedFor.isEmpty else { return peer }
        let hops = forwardedFor.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
        var candidate = peer
        for hop in hops.reversed() {
            guard TrustedProxies.bytes(of: hop) != nil else { return candidate }
            candidate = hop
            if !trustedProxies.contains(hop) { return hop }
        }
        return candidate
    }
}
