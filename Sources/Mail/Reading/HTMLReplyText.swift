/// Plain text of an HTML email reply, without the quoted message: for replies whose text part is
/// missing (HTML-only clients), so they are handled like any other reply.
///
/// Dropped, with everything inside them: Gmail's `gmail_quote` (attribution and quote), every
/// `<blockquote>` (Apple Mail's `type="cite"`, Thunderbird, generic), Thunderbird's
/// `moz-cite-prefix` attribution, Yahoo's `yahoo_quoted`, `<head>`, `<style>`, `<script>`.
/// Cut, with everything after them: Outlook's reply header block (`divRplyFwdMsg`, the
/// `appendonsend` marker, Hotmail's `stopSpelling` rule, and a `border-top` div whose text starts
/// with a `From:`-style header in any of the supported languages).
///
/// Block elements and `<br>` become line breaks, list items get "- ", entities are decoded,
/// whitespace collapses as a browser would (not inside `<pre>`). The result still goes through
/// ``ReplyQuoteStripper`` (an attribution line left outside the quote is removed there).
public enum HTMLReplyText {
    /// The text of `html` without the quoted part.
    public static func text(fromHTML html: String) -> String {
        var converter = Converter(Array(html.utf8))
        converter.run()
        return converter.finish()
    }

    private static let blockTags: Set<String> = [
        "p", "div", "tr", "table", "tbody", "thead", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr",
        "section", "article", "header", "footer", "address", "center", "dl", "dt", "dd", "body", "html", "blockquote", "td", "th",
    ]
    private static let voidTags: Set<String> = ["br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source", "o:p"]
    private static let droppedTags: Set<String> = ["head", "style", "script", "title", "template", "xml"]

    private struct Tag {
        var name: String
        var isEnd: Bool
        var selfClosing: Bool
        var attributes: [String: String]
        var classes: [String] { (attributes["class"] ?? "").lowercased().split(separator: " ").map(String.init) }
        var id: String { (attributes["id"] ?? "").lowercased() }
    }

    private struct Converter {
        let input: [UInt8]
        var index = 0
        var lines: [String] = []
        var line = ""
        var pendingSpace = false
        /// The element being skipped (with everything inside) and how deep it nests.
        var skipping: (name: String, depth: Int)?
        var preDepth = 0
        var stopped = false

        init(_ input: [UInt8]) { self.input = input }

        mutating func run() {
            var textStart = 0
            while index < input.count, !stopped {
                if input[index] == UInt8(ascii: "<"), let tagEnd = tagEnd(from: index) {
                    text(input[textStart..<index])
                    let raw = input[(index + 1)..<tagEnd]
                    index = tagEnd + 1
                    if raw.first == UInt8(ascii: "!") || raw.first == UInt8(ascii: "?") {
                        // Comment, doctype, processing instruction, conditional comment.
                        if raw.starts(with: Array("!--".utf8)) { skipComment(from: raw.startIndex) }
                    } else if let tag = parseTag(raw) {
                        handle(tag)
                    }
                    textStart = index
                } else {
                    index += 1
                }
            }
            if !stopped { text(input[textStart..<min(index, input.count)]) }
        }

        /// The index of the `>` closing the tag that starts at `start`, honouring quoted attribute values.
        func tagEnd(from start: Int) -> Int? {
            guard start + 1 < input.count else { return nil }
            let next = input[start + 1]
            let isLetter = (next | 0x20) >= UInt8(ascii: "a") && (next | 0x20) <= UInt8(ascii: "z")
            guard isLetter || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") else { return nil }
            var quote: UInt8?
            var position = start + 1
            while position < input.count {
                let byte = input[position]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    // Quotes count only inside an attribute value (after '=').
                    if input[position - 1] == UInt8(ascii: "=") { quote = byte }
                } else if byte == UInt8(ascii: ">") {
                    return position
                }
                position += 1
            }
            return nil
        }

        mutating func skipComment(from start: Int) {
            // `<!-- … -->`: the tag end found may be inside the comment; find the real end.
            var position = start + 3
            while position + 2 < input.count {
                if input[position] == UInt8(ascii: "-"), input[position + 1] == UInt8(ascii: "-"), input[position + 2] == UInt8(ascii: ">") {
                    index = position + 3
                    return
                }
                position += 1
            }
        }

        func parseTag(_ raw: ArraySlice<UInt8>) -> Tag? {
            var text = String(decoding: raw, as: UTF8.self)
            var isEnd = false
            if text.hasPrefix("/") {
                isEnd = true
                text.removeFirst()
            }
            var selfClosing = false
            if text.hasSuffix("/") {
                selfClosing = true
                text.removeLast()
            }
            let nameEnd = text.firstIndex { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "/" } ?? text.endIndex
            let name = text[..<nameEnd].lowercased()
            guard !name.isEmpty else { return nil }
            var attributes: [String: String] = [:]
            var rest = Substring(text[nameEnd...])
            while true {
                rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "/" }
                guard !rest.isEmpty else { break }
                let keyEnd = rest.firstIndex { $0 == "=" || $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } ?? rest.endIndex
                let key = rest[..<keyEnd].lowercased()
                rest = rest[keyEnd...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
                guard rest.first == "=" else {
                    attributes[key] = ""
                    continue
                }
                rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    let body = rest.dropFirst()
                    let close = body.firstIndex(of: quote) ?? body.endIndex
                    attributes[key] = String(body[..<close])
                    rest = close < body.endIndex ? body[body.index(after: close)...] : body[close...]
                } else {
                    let valueEnd = rest.firstIndex { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } ?? rest.endIndex
                    attributes[key] = String(rest[..<valueEnd])
                    rest = rest[valueEnd...]
                }
            }
            return Tag(name: name, isEnd: isEnd, selfClosing: selfClosing, attributes: attributes)
        }

        mutating func handle(_ tag: Tag) {
            if var skip = skipping {
                if tag.name == skip.name, !HTMLReplyText.voidTags.contains(tag.name), !tag.selfClosing {
                    skip.depth += tag.isEnd ? -1 : 1
                }
                skipping = skip.depth > 0 ? skip : nil
                return
            }
            if !tag.isEnd {
                if isCutMarker(tag) {
                    stopped = true
                    return
                }
                if isQuote(tag) || HTMLReplyText.droppedTags.contains(tag.name) {
                    if !tag.selfClosing && !HTMLReplyText.voidTags.contains(tag.name) {
                        breakLine()
                        skipping = (tag.name, 1)
                    }
                    return
                }
            }
            switch tag.name {
            case "br":
                endLine()
            case "li" where !tag.isEnd:
                breakLine()
                line = "- "
            case "p":
                // A paragraph stands apart from what surrounds it (a blank line, as rendered).
                paragraphBreak()
            case "pre":
                breakLine()
                preDepth = max(0, preDepth + (tag.isEnd ? -1 : 1))
            default:
                if HTMLReplyText.blockTags.contains(tag.name) { breakLine() }
            }
        }

        func isQuote(_ tag: Tag) -> Bool {
            if tag.name == "blockquote" { return true }
            let classes = tag.classes
            return classes.contains { $0 == "gmail_quote" || $0 == "gmail_quote_container" || $0 == "moz-cite-prefix" || $0 == "yahoo_quoted" || $0 == "gmail_extra_quote" }
        }

        func isCutMarker(_ tag: Tag) -> Bool {
            let id = tag.id
            if id == "divrplyfwdmsg" || id == "appendonsend" || id == "stopspelling" || id.hasPrefix("x_divrplyfwdmsg") { return true }
            if tag.name == "div", let style = tag.attributes["style"]?.lowercased().replacing(" ", with: ""), style.contains("border-top:solid") {
                return startsWithHeaderBlock(after: index)
            }
            return false
        }

        /// Whether the text right after `position` (tags removed) starts with a `From:` header.
        func startsWithHeaderBlock(after position: Int) -> Bool {
            var text = ""
            var inTag = false
            for byte in input[position..<min(input.count, position + 3000)] {
                if byte == UInt8(ascii: "<") { inTag = true } else if byte == UInt8(ascii: ">") { inTag = false } else if !inTag { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            }
            let words = text.replacing("&nbsp;", with: " ").drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{A0}" }
            return ReplyQuoteStripper.fromHeaderWords.contains { word in
                words.lowercased().hasPrefix(word + ":") || words.lowercased().hasPrefix(word + " :")
            }
        }

        mutating func text(_ bytes: ArraySlice<UInt8>) {
            guard skipping == nil, !bytes.isEmpty else { return }
            let decoded = HTMLReplyText.decodeEntities(String(decoding: bytes, as: UTF8.self))
            if preDepth > 0 {
                for (offset, part) in decoded.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if offset > 0 { endLine() }
                    line += part
                }
                return
            }
            for character in decoded {
                if character == " " || character == "\n" || character == "\r\n" || character == "\t" || character == "\r" {
                    pendingSpace = true
                    continue
                }
                if pendingSpace, !line.isEmpty, line != "- " { line.append(" ") }
                pendingSpace = false
                line.append(character)
            }
        }

        mutating func paragraphBreak() {
            breakLine()
            if lines.last?.isEmpty == false { lines.append("") }
        }

        /// Ends the current line if it has text.
        mutating func breakLine() {
            if !line.isEmpty { endLine() }
            pendingSpace = false
        }

        mutating func endLine() {
            lines.append(line)
            line = ""
            pendingSpace = false
        }

        mutating func finish() -> String {
            if !line.isEmpty { endLine() }
            var output: [String] = []
            for raw in lines {
                let trimmed = String(raw.replacing("\u{A0}", with: " ").reversed().drop { $0 == " " }.reversed())
                if trimmed.isEmpty, output.last?.isEmpty ?? true { continue }
                output.append(trimmed)
            }
            while output.last?.isEmpty == true { output.removeLast() }
            return output.joined(separator: "\n")
        }
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "ndash": "–", "mdash": "—", "hellip": "…",
        "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "euro": "€", "copy": "©", "reg": "®", "trade": "™", "laquo": "«",
        "raquo": "»", "bull": "•", "middot": "·", "auml": "ä", "ouml": "ö", "uuml": "ü", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü",
        "szlig": "ß", "eacute": "é", "egrave": "è", "ecirc": "ê", "agrave": "à", "acirc": "â", "ccedil": "ç", "ntilde": "ñ",
        "aacute": "á", "iacute": "í", "oacute": "ó", "uacute": "ú", "atilde": "ã", "otilde": "õ", "ocirc": "ô", "icirc": "î",
        "ucirc": "û", "Eacute": "É", "Agrave": "À", "Ccedil": "Ç", "iexcl": "¡", "iquest": "¿", "deg": "°", "shy": "",
        "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}",
    ]

    /// `&amp;`, `&#233;`, `&#xE9;` and the common named entities decoded; anything else kept as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(12).firstIndex(of: ";") {
                let name = String(after[..<semicolon])
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let value = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value), value != 0 {
                    replacement = String(Character(scalar))
                } else if name.hasPrefix("#"), let value = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(value), value != 0 {
                    replacement = String(Character(scalar))
                } else {
                    replacement = namedEntities[name]
                }
                if let replacement {
                    output += replacement
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            output += "&"
            rest = after
        }
        output += rest
        return output
    }
}
