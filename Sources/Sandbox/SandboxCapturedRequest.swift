public import Foundation

/// A request received on the sandbox's capture sink, `POST /_sandbox/capture/…`: any path under it is
/// accepted with `204`, so the sandbox can stand in for a webhook receiver (tests, demos).
public struct SandboxCapturedRequest: Sendable, Hashable {
    /// Path and query, e.g. `/_sandbox/capture/postmark?x=1`.
    public var path: String
    /// Headers with lowercased names (the last value of a repeated name).
    public var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]
    /// When it arrived.
    public var receivedAt: Date

    /// The value of a header (case-insensitive).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as UTF-8 text.
    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}
