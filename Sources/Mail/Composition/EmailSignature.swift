/// A tenant's `email_signature`: plain text of at most 2,000 characters, appended to every
/// outbound email of that tenant.
///
/// Length is counted in Unicode scalars, which is what PostgreSQL's `char_length` counts for a
/// UTF-8 database, so Herald and a `CHECK (char_length(email_signature) <= 2000)` agree (an emoji
/// with a skin tone is 2, a flag is 2, "é" written decomposed is 2). A longer signature is refused,
/// never truncated.
public struct EmailSignature: Sendable, Hashable {
    /// The maximum length in Unicode scalars.
    public static let maximumLength = 2_000

    /// The signature text as the tenant wrote it.
    public let text: String

    /// Validates a signature.
    /// - Throws: `DeliveryError` `.signatureTooLong`, whose message states the limit and the
    ///   actual length, when `text` has more than ``maximumLength`` Unicode scalars.
    public init(_ text: String) throws {
        let length = Self.length(of: text)
        guard length <= Self.maximumLength else {
            throw DeliveryError(
                code: .signatureTooLong,
                message: "email_signature is \(Self.grouped(length)) characters long; the maximum is \(Self.grouped(Self.maximumLength)). Shorten it: Herald never cuts a signature.")
        }
        self.text = text
    }

    /// 12345 → "12,345".
    private static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return digits
    }

    /// The length of `text` as PostgreSQL's `char_length` counts it (Unicode scalars).
    public static func length(of text: String) -> Int {
        text.unicodeScalars.count
    }

    /// `true` when the signature has nothing but whitespace; appending it is then a no-op.
    public var isBlank: Bool { self.normalizedLines.isEmpty }

    /// `body` followed by a blank line, the RFC 3676 signature delimiter `-- ` (unless the
    /// signature starts with one) and the signature.
    public func appendTo(text body: String) -> String {
        let lines = self.normalizedLines
        guard !lines.isEmpty else { return body }
        let hasDelimiter = lines.first.map { $0.trimmingWhitespace() == "--" } ?? false
        var trimmedBody = body
        while trimmedBody.last?.isNewline == true { trimmedBody.removeLast() }
        let separator = trimmedBody.isEmpty ? "" : "\n\n"
        return trimmedBody + separator + (hasDelimiter ? "" : "-- \n") + lines.joined(separator: "\n")
    }

    /// `html` with the signature — HTML-escaped, line breaks as `<br>` — in a
    /// `<div class="herald-signature">` placed before `</body>` (or at the end). Appending the
    /// signature before the tracking pixel keeps the pixel last.
    public func appendTo(html: String) -> String {
        let lines = self.normalizedLines
        guard !lines.isEmpty else { return html }
        let body = lines.map(HTMLEscaping.escape).joined(separator: "<br>\n")
        let block = "<div class=\"herald-signature\" style=\"margin-top:1em;color:#555555;\">\(body)</div>"
        return HTMLEscaping.insertBeforeBodyEnd(block, in: html)
    }

    /// The signature's lines with CRLF/CR normalised to LF and leading/trailing blank lines removed.
    private var normalizedLines: [String] {
        let unified = self.text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        var lines = unified.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let first = lines.first, first.trimmingWhitespace().isEmpty { lines.removeFirst() }
        while let last = lines.last, last.trimmingWhitespace().isEmpty { lines.removeLast() }
        return lines
    }
}
