#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cleans what an HTTP request says about an open or click before it reaches SQL, so that no
/// client-controlled text can make a statement fail (and, in a batch, fail its neighbours).
package enum TrackingEventInput {
    /// Longest user agent kept; longer ones are cut (a user agent is diagnostic, not content).
    package static let maximumUserAgentLength = 512

    /// True when `id` can be a `tracking_pixel_id` (the table's CHECK); anything else cannot
    /// match a row, so it is answered without a query.
    package static func isWellFormedPixelId(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard utf8.count >= 16, utf8.count <= 128 else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 95
        }
    }

    /// The address in a form `inet` accepts, or nil when `text` is not one IPv4 or IPv6 address
    /// (`[::1]` brackets and surrounding spaces are tolerated).
    package static func ipAddress(_ text: String?) -> String? {
        guard var candidate = text.map(trimmingSpaces), !candidate.isEmpty, candidate.utf8.count <= 64 else { return nil }
        if candidate.hasPrefix("["), candidate.hasSuffix("]") { candidate = String(candidate.dropFirst().dropLast()) }
        var buffer = [UInt8](repeating: 0, count: 16)
        if candidate.withCString({ inet_pton(AF_INET, $0, &buffer) }) == 1 { return candidate }
        if candidate.withCString({ inet_pton(AF_INET6, $0, &buffer) }) == 1 { return candidate }
        return nil
    }

    /// The user agent without NUL characters (PostgreSQL text cannot hold them), at most
    /// `maximumUserAgentLength` characters; nil when nothing is left.
    package static func userAgent(_ text: String?) -> String? {
        guard let text else { return nil }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar != "\u{0}" {
            if scalars.count == maximumUserAgentLength { break }
            scalars.append(scalar)
        }
        let cleaned = String(scalars)
        return cleaned.isEmpty ? nil : cleaned
    }

    /// `text` without leading and trailing spaces, tabs and line breaks.
    package static func trimmingSpaces(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" { scalars.removeLast() }
        return String(scalars)
    }
}
