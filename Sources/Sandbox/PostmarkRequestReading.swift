import Foundation
import HeraldJSON

/// The sandbox's two ways to read a `POST /email` body, side by side for `herald bench json`:
/// the one it uses (``HeraldJSON``) and the one it replaced (`JSONDecoder`). Both apply the same
/// rules; each returns whether the body is a readable request.
package enum PostmarkRequestReading {
    /// Reads the body as the sandbox does.
    package static func viaHeraldJSON(_ body: [UInt8]) -> Bool {
        guard let json = try? JSONValue(parsing: body) else { return false }
        return (try? PostmarkEmailRequest(json: json)) != nil
    }

    /// Reads the body with `JSONDecoder` and the `Decodable` form.
    package static func viaJSONDecoder(_ body: [UInt8]) -> Bool {
        (try? JSONDecoder().decode(PostmarkEmailRequest.self, from: Data(body))) != nil
    }
}
