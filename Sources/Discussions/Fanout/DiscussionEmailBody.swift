import Foundation
import Mail

/// Turns a discussion message's plain-text body into the two parts of its email. Pure.
///
/// The HTML part is the text, HTML-escaped, with line breaks kept and bare http(s) URLs made into
/// links (so that the composer rewrites them to tracked links). Nothing of the body can become
/// markup: every `<`, `>`, `&` and quote is escaped before links are added.
public enum DiscussionEmailBody {
    /// The HTML document for `text`.
    public static func html(_ text: String) -> String {
        var out = ""
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        for paragraph in paragraphs where !paragraph.trimmingWhitespace().isEmpty {
            let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { linkify(String($0)) }
            out += "<p>" + lines.joined(separator: "<br>\n") + "</p>\n"
        }
        return "<!DOCTYPE html>\n<html><body>\n\(out)</body></html>"
    }

    /// One line, escaped, with its http(s) URLs as `<a href>`.
    static func linkify(_ line: String) -> String {
        var result = ""
        var rest = Substring(line)
        while let range = nextURL(in: rest) {
            result += HTMLEscaping.escape(String(rest[rest.startIndex..<range.lowerBound]))
            let url = String(rest[range])
            let escaped = HTMLEscaping.escape(url)
            result += "<a href=\"\(escaped)\">\(escaped)</a>"
            rest = rest[range.upperBound...]
        }
        return result + HTMLEscaping.escape(String(rest))
    }

    /// The first `http://` or `https://` URL in `text`, up to whitespace or a character that cannot
    /// end a URL in prose (trailing `.`, `,`, `)` … are left out).
    static func nextURL(in text: Substring) -> Range<Substring.Index>? {
        let lower = text.lowercased()
        guard let offset = [lower.range(of: "https://"), lower.range(of: "http://")].compactMap({ $0 })
            .map({ lower.distance(from: lower.startIndex, to: $0.lowerBound) }).min()
        else { return nil }
        let start = text.index(text.startIndex, offsetBy: offset)
        var end = start
        while end < text.endIndex, !text[end].isWhitespace, !"<>\"'".contains(text[end]) {
            end = text.index(after: end)
        }
        while end > start, ".,;:!?)]}".contains(text[text.index(before: end)]) {
            end = text.index(before: end)
        }
        // A bare scheme is no link (and ends the search: the rest stays plain text).
        return text.distance(from: start, to: end) >= 10 ? start..<end : nil
    }
}
