import Foundation

/// Extracts what the sender actually wrote from the plain-text body of an inbound email reply,
/// dropping the quoted message and signatures.
///
/// It cuts the text at the first of:
/// - an attribution line `On <date>, <name> wrote:` — also when the client wrapped it over two
///   lines — and its German, French, Spanish, Dutch, Italian and Portuguese forms;
/// - Outlook's `-----Original Message-----`, or a `From:` header block (`From:` followed within a
///   few lines by `Sent:`/`Date:`/`To:`/`Subject:`), with the `____` rule Outlook puts above it;
/// - Gmail's `---------- Forwarded message ---------` and Apple Mail's `Begin forwarded message:`;
/// - the signature delimiter `-- ` (RFC 3676; also `--` whose trailing space was lost);
///
/// then removes the remaining lines quoted with `>`, a trailing mobile signature ("Sent from my
/// iPhone", "Get Outlook for iOS"), surrounding blank lines and repeated blank lines.
///
/// If nothing is left above an attribution line (a bottom-posted or inline reply), the unquoted
/// lines below it are the reply instead.
public enum ReplyQuoteStripper {
    /// The reply text of `body`, trimmed; empty when the email contained only quoted text.
    public static func strip(_ body: String) -> String {
        let unified = body.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        let lines = unified.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        guard let cut = Self.firstCut(in: lines) else {
            return Self.finish(lines.filter { !Self.isQuoted($0) })
        }
        let above = Self.finish(lines[..<cut.index].filter { !Self.isQuoted($0) })
        guard above.isEmpty, cut.kind == .attribution else { return above }

        // Bottom-posted or inline reply: keep the unquoted lines after the attribution, up to a
        // signature delimiter.
        var kept: [String] = []
        var index = cut.index + cut.length
        while index < lines.count {
            let line = lines[index]
            if Self.isSignatureDelimiter(line) { break }
            if let length = Self.attributionLength(lines, at: index) {
                index += length
                continue
            }
            if !Self.isQuoted(line) { kept.append(line) }
            index += 1
        }
        return Self.finish(kept)
    }

    // MARK: - Cut points

    private enum CutKind { case attribution, header, signature }

    private struct Cut {
        let index: Int
        let length: Int
        let kind: CutKind
    }

    private static func firstCut(in lines: [String]) -> Cut? {
        for index in lines.indices {
            if let length = Self.attributionLength(lines, at: index) {
                return Cut(index: index, length: length, kind: .attribution)
            }
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if Self.matches(trimmed, #"^-{2,}\s*Original Message\s*-{2,}$"#)
                || Self.matches(trimmed, #"^-{3,}\s*Forwarded message\s*-{3,}$"#)
                || Self.matches(trimmed, #"^Begin forwarded message:$"#)
            {
                return Cut(index: index, length: 1, kind: .header)
            }
            if Self.isHeaderBlock(lines, at: index) {
                let ruleAbove = index > 0 && Self.matches(lines[index - 1].trimmingCharacters(in: .whitespaces), "^_{10,}$")
                return Cut(index: ruleAbove ? index - 1 : index, length: 1, kind: .header)
            }
            if Self.isSignatureDelimiter(lines[index]) {
                return Cut(index: index, length: 1, kind: .signature)
            }
        }
        return nil
    }

    /// The number of lines (1 or 2) of an attribution starting at `index`, or `nil`.
    private static func attributionLength(_ lines: [String], at index: Int) -> Int? {
        let line = lines[index].trimmingCharacters(in: .whitespaces)
        guard !Self.isQuoted(line) else { return nil }
        if Self.isAttribution(line) { return 1 }
        // Wrapped: "On Tue, Mar 3, 2026 at 9:14 AM Jane Doe <" / "jane@example.com> wrote:"
        if index + 1 < lines.count, Self.matches(line, Self.attributionStart) {
            let joined = line + " " + lines[index + 1].trimmingCharacters(in: .whitespaces)
            if Self.isAttribution(joined) { return 2 }
        }
        return nil
    }

    private static let attributionStart = #"^(On|Am|Le|El|Op|Il|Em)\s"#

    private static func isAttribution(_ line: String) -> Bool {
        Self.matches(line, #"^On\s.+\swrote:$"#)
            || Self.matches(line, #"^Am\s.+\sschrieb\s.*:$"#)
            || Self.matches(line, #"^Le\s.+\sa\s+écrit\s*:$"#)
            || Self.matches(line, #"^El\s.+\sescribió\s*:$"#)
            || Self.matches(line, #"^Op\s.+\sschreef\s.*:$"#)
            || Self.matches(line, #"^Il\s.+\sha\s+scritto\s*:$"#)
            || Self.matches(line, #"^Em\s.+\sescreveu\s*:$"#)
    }

    /// `From:` (possibly `*From:*` in Outlook's text rendering) followed within four lines by
    /// another header of the quoted message.
    private static func isHeaderBlock(_ lines: [String], at index: Int) -> Bool {
        let line = lines[index].trimmingCharacters(in: .whitespaces)
        guard Self.matches(line, #"^\*?From:\*?\s"#) else { return false }
        let following = lines[(index + 1)..<min(lines.count, index + 5)]
        return following.contains { Self.matches($0.trimmingCharacters(in: .whitespaces), #"^\*?(Sent|Date|To|Subject|Cc):\*?\s"#) }
    }

    private static func isSignatureDelimiter(_ line: String) -> Bool {
        line == "-- " || line.trimmingCharacters(in: .whitespaces) == "--"
    }

    private static func isQuoted(_ line: String) -> Bool {
        line.drop(while: { $0 == " " || $0 == "\t" }).first == ">"
    }

    // MARK: - Cleanup

    private static func finish(_ input: some Sequence<String>) -> String {
        var lines: [String] = []
        for line in input.map({ $0.replacing(/\s+$/, with: "") }) {
            // Removed quotes leave blank lines behind; keep at most one in a row.
            if line.isEmpty, lines.last?.isEmpty == true { continue }
            lines.append(line)
        }
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        if let last = lines.last, Self.matches(last, #"^(Sent from my \S.*|Get Outlook for (iOS|Android)|Sent from Mail for Windows.*)$"#) {
            lines.removeLast()
            while let last = lines.last, last.isEmpty { lines.removeLast() }
        }
        return lines.joined(separator: "\n")
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }
}
