/// Limits of Postmark's batch endpoint
/// (https://postmarkapp.com/developer/user-guide/send-email-with-api/batch-emails).
public enum PostmarkBatch {
    /// The most messages one `POST /email/batch` accepts.
    public static let maximumMessages = 500
    /// The largest body one `POST /email/batch` accepts: 50 MB (decimal, the stricter reading).
    public static let maximumBytes = 50_000_000

    /// Splits encoded messages into batches of at most ``maximumMessages`` messages whose JSON
    /// array (`[` + elements joined by `,` + `]`) is at most `maximumBytes`, in order. A message
    /// larger than that on its own goes alone (Postmark then refuses it, and only it).
    public static func chunks(_ encoded: [[UInt8]], maximumMessages: Int = maximumMessages, maximumBytes: Int = maximumBytes) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0
        var size = 2
        for (index, element) in encoded.enumerated() {
            let added = element.count + (index > start ? 1 : 0)
            if index > start, index - start >= maximumMessages || size + added > maximumBytes {
                chunks.append(start..<index)
                start = index
                size = 2 + element.count
            } else {
                size += added
            }
        }
        if start < encoded.count { chunks.append(start..<encoded.count) }
        return chunks
    }

    /// The JSON array of already-encoded messages.
    static func body(_ encoded: ArraySlice<[UInt8]>) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(encoded.reduce(2) { $0 + $1.count + 1 })
        body.append(UInt8(ascii: "["))
        for (offset, element) in encoded.enumerated() {
            if offset > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: element)
        }
        body.append(UInt8(ascii: "]"))
        return body
    }
}
