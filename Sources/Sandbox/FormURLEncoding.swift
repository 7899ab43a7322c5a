import Curl

/// `application/x-www-form-urlencoded`, as Twilio sends and accepts it: the shared
/// ``URLFormEncoding`` codec, with a space written `+` and a lenient reading.
enum FormURLEncoding {
    /// Name/value pairs in body order; `+` is a space and `%XX` a byte. Malformed escapes are kept literally.
    static func decode(_ body: some Sequence<UInt8>) -> [(name: String, value: String)] {
        URLFormEncoding.decode(body, lenient: true) ?? []
    }

    /// Encodes pairs in the given order; only unreserved characters stay literal, a space becomes `+`.
    static func encode(_ pairs: [(name: String, value: String)]) -> String {
        URLFormEncoding.encode(pairs, space: .plus)
    }
}
