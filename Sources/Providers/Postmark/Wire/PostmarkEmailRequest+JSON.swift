public import HeraldJSON

extension PostmarkEmailRequest {
    /// Writes the request as the JSON Postmark receives: the members of the `Codable` form, in its
    /// order, under the same names; absent optional fields left out; `Headers`, `MessageStream`,
    /// `TrackOpens` and `TrackLinks` always present; `Metadata` keys sorted, so equal requests give
    /// equal bytes. `/` is not escaped (as with `.withoutEscapingSlashes`).
    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("From", from)
            writer.member("To", to)
            writer.member("Cc", cc)
            writer.member("Subject", subject)
            writer.member("HtmlBody", htmlBody)
            writer.member("TextBody", textBody)
            writer.member("ReplyTo", replyTo)
            writer.key("Headers")
            writer.array { writer in
                for header in headers {
                    writer.object { writer in
                        writer.member("Name", header.name)
                        writer.member("Value", header.value)
                    }
                }
            }
            writer.member("Tag", tag)
            if let metadata {
                writer.key("Metadata")
                writer.object { writer in
                    for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { writer.member(key, value) }
                }
            }
            writer.member("MessageStream", messageStream)
            writer.member("TrackOpens", trackOpens)
            writer.member("TrackLinks", trackLinks)
        }
    }

    /// The body of `POST /email`: this request as JSON (see ``write(to:)``).
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: estimatedJSONSize)
        write(to: &writer)
        return writer.bytes
    }

    /// The body of `POST /email/batch`: a JSON array of the requests, in order.
    public static func jsonBytes(_ batch: some Collection<PostmarkEmailRequest>) -> [UInt8] {
        var writer = JSONWriter(capacity: batch.reduce(2) { $0 + $1.estimatedJSONSize + 1 })
        writer.array { writer in
            for request in batch { request.write(to: &writer) }
        }
        return writer.bytes
    }

    /// Room for the JSON in one allocation: the text, the keys and punctuation, and some escapes
    /// (an HTML body's attribute quotes each take a backslash).
    var estimatedJSONSize: Int {
        var size = 192 + from.utf8.count + to.utf8.count + subject.utf8.count + messageStream.utf8.count
        for part in [cc, htmlBody, textBody, replyTo, tag] {
            if let part { size += 16 + part.utf8.count + part.utf8.count / 8 }
        }
        for header in headers { size += 24 + header.name.utf8.count + header.value.utf8.count }
        for (key, value) in metadata ?? [:] { size += 6 + key.utf8.count + value.utf8.count }
        return size
    }
}
