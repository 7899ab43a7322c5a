import Mail
/// Postmark's limits on `Metadata` (Custom metadata FAQ,
/// https://postmarkapp.com/support/article/1125-custom-metadata-faq): at most 10 fields, field
/// names of at most 20 characters, values of at most 80, no two names differing only in case.
/// Postmark refuses a message breaking any of them (HTTP 422, ErrorCode 300), so Herald never
/// sends one: ``limited(_:)`` is applied to every request it builds.
///
/// "Characters" is counted the strictest way (UTF-16 code units, which is never fewer than
/// Unicode scalars or grapheme clusters), and a value is cut on a grapheme boundary.
public enum PostmarkMetadata {
    /// Most fields in one message.
    public static let maximumFields = 10
    /// Longest field name.
    public static let maximumNameLength = 20
    /// Longest field value.
    public static let maximumValueLength = 80

    /// `metadata` within Postmark's limits: a name that is empty or too long is dropped (a name
    /// is an identifier, never cut); of names equal but for case, the first in sorted order is
    /// kept; values are cut to ``maximumValueLength``; beyond ``maximumFields`` the fields
    /// last in sorted order are dropped. The same input always gives the same output.
    public static func limited(_ metadata: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        var seen: Set<String> = []
        for key in metadata.keys.sorted() {
            guard result.count < maximumFields else { break }
            guard !key.isEmpty, key.utf16.count <= maximumNameLength, seen.insert(key.lowercased()).inserted else { continue }
            result[key] = cut(metadata[key] ?? "", toUTF16Length: maximumValueLength)
        }
        return result
    }

    /// True when `metadata` is already within the limits (what the sandbox checks).
    public static func isWithinLimits(_ metadata: [String: String]) -> Bool {
        limited(metadata) == metadata
    }

    /// The longest prefix of `text`, whole grapheme clusters only, of at most `limit` UTF-16 units.
    public static func cut(_ text: String, toUTF16Length limit: Int) -> String {
        TextLimit.cut(text, toUTF16Length: limit)
    }
}
