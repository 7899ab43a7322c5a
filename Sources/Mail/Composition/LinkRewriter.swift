/// Rewrites the http(s) links of one email to `{publicURL}/c/{token}` with signed
/// ``ClickToken``s, numbering distinct URLs in order of first appearance.
///
/// In HTML it rewrites double- or single-quoted `href` attribute values (after decoding HTML
/// entities such as `&amp;`, so the token carries the URL the browser would have opened); in plain
/// text it rewrites bare `http://` / `https://` URLs, leaving trailing sentence punctuation out.
/// Links that are not http(s), are already Herald links, or cannot be tracked stay as they are.
struct LinkRewriter {
    let publicURL: String
    let trackingPixelID: TrackingPixelID
    let key: TokenSigningKey
    private(set) var links: [TrackedLink] = []
    private var indexByURL: [String: Int] = [:]

    init(publicURL: String, trackingPixelID: TrackingPixelID, key: TokenSigningKey) {
        self.publicURL = publicURL
        self.trackingPixelID = trackingPixelID
        self.key = key
    }

    mutating func rewriteHTML(_ html: String) -> String {
        let pattern = /(?i)(?<prefix>\shref\s*=\s*)(?:"(?<double>[^"]*)"|'(?<single>[^']*)')/
        var result = ""
        var cursor = html.startIndex
        for match in html.matches(of: pattern) {
            result += html[cursor..<match.range.lowerBound]
            cursor = match.range.upperBound
            let raw = match.output.double ?? match.output.single ?? ""
            let url = HTMLEscaping.decodeEntities(String(raw)).trimmingWhitespace()
            guard let tracked = self.track(url) else {
                result += html[match.range]
                continue
            }
            result += match.output.prefix
            result += "\"\(HTMLEscaping.escape(tracked))\""
        }
        result += html[cursor...]
        return result
    }

    mutating func rewriteText(_ text: String) -> String {
        let pattern = /(?i)\bhttps?:\/\/[^\s<>"']+/
        var result = ""
        var cursor = text.startIndex
        for match in text.matches(of: pattern) {
            result += text[cursor..<match.range.lowerBound]
            cursor = match.range.upperBound
            let (url, trailing) = Self.splitTrailingPunctuation(String(text[match.range]))
            if let tracked = self.track(url) {
                result += tracked + trailing
            } else {
                result += text[match.range]
            }
        }
        result += text[cursor...]
        return result
    }

    /// The tracked URL for `url`, or `nil` when it stays untouched.
    private mutating func track(_ url: String) -> String? {
        guard !url.hasPrefix(self.publicURL + "/"), ClickToken.isTrackable(url) else { return nil }
        if let index = self.indexByURL[url] {
            return self.links[index].trackedURL
        }
        let index = self.links.count
        guard let token = try? ClickToken(trackingPixelID: self.trackingPixelID, linkIndex: index, url: url) else { return nil }
        let tracked = "\(self.publicURL)/c/\(token.signed(with: self.key))"
        self.links.append(TrackedLink(index: index, url: url, trackedURL: tracked))
        self.indexByURL[url] = index
        return tracked
    }

    /// Splits sentence punctuation (and an unbalanced closing bracket) off the end of a URL found
    /// in running text: "see https://x.example/a." links to "https://x.example/a".
    static func splitTrailingPunctuation(_ candidate: String) -> (url: String, trailing: String) {
        var url = Substring(candidate)
        var trailing = ""
        while let last = url.last {
            let isPunctuation = ".,;:!?".contains(last)
            let isUnbalancedClose =
                (last == ")" && url.filter { $0 == "(" }.count < url.filter { $0 == ")" }.count)
                || (last == "]" && url.filter { $0 == "[" }.count < url.filter { $0 == "]" }.count)
            guard isPunctuation || isUnbalancedClose else { break }
            trailing = String(last) + trailing
            url = url.dropLast()
        }
        return (String(url), trailing)
    }
}
