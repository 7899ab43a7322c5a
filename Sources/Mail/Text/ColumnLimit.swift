/// Cuts text to what a database column accepts, by the unit its CHECK counts.
///
/// PostgreSQL's `char_length` counts Unicode code points (scalars), not what a reader sees as
/// one character: a flag (🇫🇷) is two code points, an "é" written as e + U+0301 is two. Cutting
/// by Swift `Character` (grapheme) therefore overshoots a code-point limit, and cutting by
/// scalars may split a grapheme. These functions cut by the column's unit and, where the limit
/// allows, only at a grapheme boundary: the result never exceeds the limit, and never ends in the
/// middle of a flag or before a combining mark unless one grapheme alone is longer than the limit.
public enum ColumnLimit {
    /// The longest prefix of `text` of at most `limit` code points (`char_length`), ending at a
    /// grapheme boundary when there is one within the limit.
    public static func prefix(_ text: String, codePoints limit: Int) -> String {
        cut(text, limit: limit) { $0.unicodeScalars.count }
    }

    /// The longest prefix of `text` of at most `limit` UTF-8 bytes (`octet_length`, index entry
    /// sizes), ending at a grapheme boundary when there is one within the limit.
    public static func prefix(_ text: String, utf8Bytes limit: Int) -> String {
        cut(text, limit: limit) { $0.utf8.count }
    }

    private static func cut(_ text: String, limit: Int, measure: (Character) -> Int) -> String {
        guard limit > 0 else { return "" }
        // Fast path: every grapheme is at least one unit, so a short text needs no walk.
        if text.utf8.count <= limit { return text }
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = measure(text[index])
            if used + size > limit {
                if end == text.startIndex {
                    // One grapheme longer than the limit (e.g. a letter with hundreds of
                    // combining marks): cut inside it rather than return nothing.
                    return scalarCut(text, limit: limit, measure: measure)
                }
                return String(text[..<end])
            }
            used += size
            end = text.index(after: index)
        }
        return text
    }

    private static func scalarCut(_ text: String, limit: Int, measure: (Character) -> Int) -> String {
        var scalars = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let size = measure(Character(scalar))
            if used + size > limit { break }
            scalars.append(scalar)
            used += size
        }
        return String(scalars)
    }
}
