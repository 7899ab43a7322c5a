import Hummingbird
import NIOCore

extension Request {
    /// The body as one buffer of at most `limit` bytes (413 beyond, before reading anything when
    /// `Content-Length` says so). When `Content-Length` is given, the buffer is allocated once at
    /// that size, so a large body is never copied while it grows.
    func boundedBody(limit: Int) async throws -> ByteBuffer {
        let declared = headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > limit {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(limit) bytes")
        }
        var buffer = ByteBufferAllocator().buffer(capacity: min(max(declared ?? 0, 0), limit))
        do {
            try await body.collect(upTo: limit, into: &buffer)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(limit) bytes")
        }
        return buffer
    }
}
