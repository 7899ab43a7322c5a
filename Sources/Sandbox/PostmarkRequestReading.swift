import HeraldJSON

/// Whether a `POST /email` body is a request the sandbox reads (strict JSON, then
/// ``PostmarkEmailRequest/init(json:)``), before any validation of its values.
package enum PostmarkRequestReading {
    /// Reads the body as the sandbox does.
    package static func viaHeraldJSON(_ body: [UInt8]) -> Bool {
        guard let json = try? JSONValue(parsing: body) else { return false }
        return (try? PostmarkEmailRequest(json: json)) != nil
    }
}
