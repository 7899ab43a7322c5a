/// One link of an outbound email that Herald rewrote to its click endpoint.
public struct TrackedLink: Sendable, Hashable {
    /// The 0-based index of the link in the email, in order of first appearance (HTML first, then
    /// text). The same URL appearing twice shares one index.
    public let index: Int
    /// The original http(s) URL.
    public let url: String
    /// The rewritten URL, `{publicURL}/c/{token}`.
    public let trackedURL: String
}
