/// Cutting text to a provider's length limit without breaking a character.
///
/// Providers say "characters" without saying which; Herald counts UTF-16 code units, never fewer
/// than Unicode scalars or grapheme clusters, so a text within the limit here is within it
/// whichever way the provider counts.
public enum TextLimit {
    /// The longest prefix of `text`, whole grapheme clusters only, of at most `limit` UTF-16
    /// units; when cut, it ends with `ellipsis` (counted within the limit).
    public static func cut(_ text: String, toUTF16Length limit: Int, ellipsis: String = "") -> String {
        guard text.utf16.count > limit else { return text }
        let room = max(0, limit - ellipsis.utf16.count)
        var length = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            let width = text.utf16.distance(from: index, to: next)
            guard length + width <= room else { break }
            length += width
            end = next
        }
        return String(text[..<end]) + (room == limit ? "" : ellipsis)
    }
}
