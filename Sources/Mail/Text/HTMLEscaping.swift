import Foundation

/// HTML text and attribute escaping, and decoding of the entities that occur in `href` values.
public enum HTMLEscaping {
    /// `text` safe as HTML text and inside double- or single-quoted attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Decodes named entities `&amp; &lt; &gt; &quot; &apos;` and numeric ones (`&#38;`, `&#x26;`)
    /// — what an attribute value such as `href="…?a=1&amp;b=2"` really means. Unknown entities stay.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            let entity = text[text.index(after: index)..<semicolon]
            if let decoded = Self.decodeEntity(entity) {
                result.append(decoded)
                index = text.index(after: semicolon)
            } else {
                result.append(character)
                index = text.index(after: index)
            }
        }
        return result
    }

    private static func decodeEntity(_ entity: Substring) -> Character? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        guard entity.hasPrefix("#") else { return nil }
        let number = entity.dropFirst()
        let value: UInt32?
        if number.hasPrefix("x") || number.hasPrefix("X") {
            value = UInt32(number.dropFirst(), radix: 16)
        } else {
            value = UInt32(number, radix: 10)
        }
        return value.flatMap(Unicode.Scalar.init).map(Character.init)
    }

    /// Inserts `fragment` before the last `</body>` (any letter case), or appends it.
    static func insertBeforeBodyEnd(_ fragment: String, in html: String) -> String {
        if let range = html.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
            var result = html
            result.insert(contentsOf: fragment, at: range.lowerBound)
            return result
        }
        return html + fragment
    }
}
