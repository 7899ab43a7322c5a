import Curl

/// `application/x-www-form-urlencoded` bodies, as Twilio's API takes and its webhooks send: the
/// shared ``URLFormEncoding`` codec, strict.
///
/// Encoding is RFC 3986 percent-encoding of everything but the unreserved characters
/// `A–Z a–z 0–9 - . _ ~`, applied to the UTF-8 bytes; a space is always `%20` and `+` always
/// `%2B` (so `+14155552671` can never be read back as " 14155552671").
public enum FormURLEncoding {
    /// `name=value` pairs joined by `&`, in the given order.
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        URLFormEncoding.encode(pairs, space: .percent)
    }

    /// `text` with every byte outside the unreserved set written as `%XX` (uppercase hex).
    public static func percentEncode(_ text: String) -> String {
        URLFormEncoding.encode(text, space: .percent)
    }

    /// Decodes a form body into pairs in order: `+` is a space (HTML form semantics, which Twilio
    /// webhooks use), `%XX` a byte. Returns `nil` for a malformed escape or invalid UTF-8.
    public static func decode(_ body: String) -> [(name: String, value: String)]? {
        URLFormEncoding.decode(body.utf8, lenient: false)
    }
}
