import Foundation
import Synchronization

/// Extracts what the sender wrote from the plain-text body of an email reply, dropping the quoted
/// message, a signature block and a device signature line. Built against the reply corpus in
/// `Tests/DeliveryTests/Inbound/ReplyCorpus` (top-, bottom- and inline-posted replies from Gmail,
/// Outlook desktop/web/mobile, Apple Mail macOS/iOS, Thunderbird and mobile clients, in English,
/// German, French, Spanish, Italian, Dutch and Portuguese).
///
/// **When unsure, it keeps text**: a line is dropped only when it is quoted (`>`), belongs to a
/// recognised quote header and what follows it, or is a recognised signature.
///
/// 1. The quoted message starts at the first *quote header*:
///    - an attribution line ("On <date>, <name> wrote:", "Am … schrieb …:", "Le … a écrit :",
///      "El … escribió:", "Il … ha scritto:", "Op … schreef …:" / "… het volgende geschreven:",
///      "Em … escreveu:"), also wrapped over up to four lines, also with no space before the
///      verb; it must start like one (or name an address) and carry a date or be followed by `>` lines;
///    - Outlook's "-----Original Message-----" and its translations, forwarded-message markers;
///    - a header block: `From:` (`Von:`, `De :`, `Da:`, `Van:` …, also `*From:*`) followed within
///      five lines by two more headers (`Sent:`/`Gesendet:`/`Envoyé :`/`Enviado:`/`Inviato:`/
///      `Verzonden:`, `To:`/`An:`/`À :`/`Para:`/`A:`/`Aan:`, `Subject:`/`Betreff:`/`Objet :`/
///      `Asunto:`/`Oggetto:`/`Onderwerp:`/`Assunto:`, `Date:`, `Cc:`), with the `____` rule above it.
/// 2. Above the header, the text is the reply (quoted `>` lines removed). After an attribution
///    whose quote is marked with `>`, unquoted lines below the quote are the person's too
///    (bottom-posted and inline replies) and are kept; after any other header, everything below
///    is the original message.
/// 3. Signatures: from an RFC 3676 delimiter line `-- ` to the end of its part; a bare `--` only
///    when at most six short lines follow it; a device line ("Sent from my iPhone", "Von meinem
///    iPhone gesendet", "Envoyé de mon iPhone", "Get Outlook for Android" …) only when it is a line
///    of its own naming a device or mail app ("Sent from my desk, …" stays).
public enum ReplyQuoteStripper {
    /// The reply text of `body`, trimmed; empty when the email contained only quoted text.
    public static func strip(_ body: String) -> String {
        let unified = body.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        let lines = unified.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        guard let header = firstHeader(in: lines, from: 0) else {
            return finish(removeSignature(unquoted(lines)))
        }
        var kept = removeSignature(unquoted(lines[..<header.index]))
        if header.kind == .attribution, let below = textBelowQuote(lines, from: header.index + header.length) {
            let rest = removeSignature(below)
            if !rest.isEmpty {
                if !kept.isEmpty { kept.append("") }
                kept += rest
            }
        }
        return finish(kept)
    }

    // MARK: - Quote headers

    enum HeaderKind { case attribution, separator, headerBlock }

    struct Header {
        var index: Int
        var length: Int
        var kind: HeaderKind
    }

    static func firstHeader(in lines: [String], from start: Int) -> Header? {
        var index = start
        while index < lines.count {
            if isQuoted(lines[index]) || lines[index].trimmingCharacters(in: .whitespaces).isEmpty {
                index += 1
                continue
            }
            if let length = attributionLength(lines, at: index) {
                return Header(index: index, length: length, kind: .attribution)
            }
            let trimmed = normalized(lines[index])
            if matches(trimmed, separatorPattern) {
                return Header(index: index, length: 1, kind: .separator)
            }
            if isHeaderBlock(lines, at: index) {
                var top = index
                // Outlook's rule (and blank lines) right above the block belong to it.
                var probe = index - 1
                while probe >= 0, normalized(lines[probe]).isEmpty { probe -= 1 }
                if probe >= 0, matches(normalized(lines[probe]), #"^[_\-=]{8,}$"#) { top = probe }
                return Header(index: top, length: index - top + 1, kind: .headerBlock)
            }
            index += 1
        }
        return nil
    }

    /// After an attribution: nil when the quote is not marked with `>` (everything below is the
    /// original); else the unquoted lines below the `>` quote, up to the next quote header that is
    /// not itself an attribution followed by a `>` quote. One pass: each header is looked for once.
    static func textBelowQuote(_ lines: [String], from start: Int) -> [String]? {
        guard quoteFollows(lines, from: start), let first = lines[start...].firstIndex(where: { !normalized($0).isEmpty }) else { return nil }
        var kept: [String] = []
        var index = first
        while index < lines.count {
            let header = firstHeader(in: lines, from: index)
            let end = header?.index ?? lines.count
            // A removed quote between answers leaves one blank line, as a reader would see it.
            kept += lines[index..<end].map { isQuoted($0) ? "" : $0 }
            guard let header, header.kind == .attribution, quoteFollows(lines, from: header.index + header.length) else { break }
            index = header.index + header.length
        }
        return kept
    }

    /// Whether the first non-blank line from `start` on is quoted with `>`.
    static func quoteFollows(_ lines: [String], from start: Int) -> Bool {
        guard start < lines.count else { return false }
        return lines[start...].first { !normalized($0).isEmpty }.map(isQuoted) ?? false
    }

    /// The lines with each run of quoted lines replaced by one blank line.
    static func unquoted(_ lines: some Collection<String>) -> [String] {
        var kept: [String] = []
        for line in lines {
            if isQuoted(line) {
                if kept.last?.isEmpty == false { kept.append("") }
            } else {
                kept.append(line)
            }
        }
        return kept
    }

    static let attributionStart = #"^(On|Am|Le|El|Op|Il|Il giorno|Em|No dia|Den|Dnia)\s"#
    static let attributionEnd =
        #"(wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|ha scritto|scrisse|schreef|het volgende geschreven|escreveu|skrev)\s*:$|(schrieb|schreef|escribió|escreveu)\s.+:$"#
    static let isoAttribution = #"^\d{4}-\d{2}-\d{2}\s.*<[^<>\s]+@[^<>\s]+>\s*:$"#

    /// The number of lines (1 to 4) of an attribution starting at `index`, or nil.
    static func attributionLength(_ lines: [String], at index: Int) -> Int? {
        let first = normalized(lines[index])
        guard !isQuoted(lines[index]), !first.isEmpty else { return nil }
        var joined = first
        for length in 1...4 {
            if length > 1 {
                let next = index + length - 1
                guard next < lines.count, !isQuoted(lines[next]) else { return nil }
                let part = normalized(lines[next])
                guard !part.isEmpty else { return nil }
                // Wrapped "…<" + "address> wrote:" joins without a space.
                joined += (joined.hasSuffix("<") ? "" : " ") + part
                // A multi-line attribution must start like one.
                guard matches(first, attributionStart) else { return nil }
            }
            guard joined.count <= 400 else { return nil }
            if matches(joined, isoAttribution) { return length }
            if matches(joined, attributionEnd) {
                let startsLikeOne = matches(first, attributionStart) || joined.contains("@")
                let hasDate = joined.contains { $0.isNumber }
                if startsLikeOne && (hasDate || quoteFollows(lines, from: index + length)) { return length }
                return nil
            }
        }
        return nil
    }

    static let separatorPattern =
        #"^(-{2,}|_{2,})\s*(Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine|Message d’origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Origineel bericht|Mensagem original|Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada|Mensagem reencaminhada)\s*(-{2,}|_{2,})$|^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié|Début du message transféré|Inicio del mensaje reenviado|Comienzo del mensaje reenviado|Inizio messaggio inoltrato|Begin doorgestuurd bericht|Início da mensagem reencaminhada|Início da mensagem encaminhada)\s*:$"#

    /// The words that start a quoted header block's sender line, lowercased.
    public static let fromHeaderWords = ["from", "von", "de", "da", "van", "fra", "från"]
    static let fromHeader = #"^\*?(From|Von|De|Da|Van|Fra|Från)\s?:\*?\s"#
    static let otherHeader =
        #"^\*?(Sent|Date|To|Subject|Cc|Gesendet|Datum|An|Betreff|Envoyé|À|A|Objet|Enviado|Enviada|Fecha|Para|Asunto|Inviato|Data|Oggetto|Verzonden|Aan|Onderwerp|Assunto|Cc|Kopie|Enviada em|Enviado em|Inviato il)\s?:\*?(\s|$)"#

    /// A `From:` line followed within five lines by at least two other header lines.
    static func isHeaderBlock(_ lines: [String], at index: Int) -> Bool {
        guard matches(normalized(lines[index]), fromHeader) else { return false }
        let following = lines[(index + 1)..<min(lines.count, index + 6)]
        return following.filter { matches(normalized($0), otherHeader) }.count >= 2
    }

    // MARK: - Signatures

    static let deviceStart =
        #"^(sent from|sent with|sent via|sent using|get outlook for|von meinem|gesendet von|gesendet mit|envoyé de|envoyé depuis|envoye de|enviado desde|enviado de|enviado do|enviado a partir|inviato da|inviato dal|inviato con|verzonden (vanaf|met|via)|verstuurd (vanaf|met|via))\b"#
    static let deviceWord =
        #"(iphone|ipad|ipod|android|samsung|galaxy|blackberry|mobile|mobil|handy|smartphone|téléphone|telephone|móvil|movil|cellulare|telefoon|telemóvel|celular|outlook|yahoo|gmail|proton|mail for windows|mail para windows|huawei|xiaomi|pixel|nokia|tablet|apple watch|fairemail|spark|k-9|dispositivo|appareil|gerät|device|phone)"#

    /// True for a line of its own that only says which device or app sent the email.
    public static func isDeviceSignature(_ line: String) -> Bool {
        let text = normalized(line)
        guard matches(text, deviceStart), matches(text, deviceWord) else { return false }
        return text.split(separator: " ").count <= 10 && !text.contains("@")
    }

    /// Removes a signature block (`-- ` to the end, or a bare `--` followed by at most six short
    /// lines) and device signature lines.
    static func removeSignature(_ input: some Collection<String>) -> [String] {
        var lines = Array(input).filter { !isDeviceSignature($0) }
        if let delimiter = lines.firstIndex(where: { $0 == "-- " || $0 == "--\u{A0}" }) {
            lines.removeSubrange(delimiter...)
        } else if let delimiter = lines.lastIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "--" }) {
            let after = lines[(delimiter + 1)...].filter { !normalized($0).isEmpty }
            if after.count <= 6 && after.allSatisfy({ $0.count <= 80 }) { lines.removeSubrange(delimiter...) }
        }
        return lines
    }

    // MARK: - Lines

    static func isQuoted(_ line: String) -> Bool {
        line.drop(while: { $0 == " " || $0 == "\t" }).first == ">"
    }

    /// Trimmed, with non-breaking and other Unicode spaces as plain spaces.
    static func normalized(_ line: String) -> String {
        guard line.utf8.contains(where: { $0 >= 0x80 }) else { return line.trimmingCharacters(in: .whitespaces) }
        return String(line.map { "\u{A0}\u{202F}\u{2007}\u{2009}".contains($0) ? " " : $0 }).trimmingCharacters(in: .whitespaces)
    }

    static func finish(_ input: some Sequence<String>) -> String {
        var lines: [String] = []
        for line in input.map({ String($0.reversed().drop(while: { $0.isWhitespace }).reversed()) }) {
            // Removed quotes leave blank lines behind; keep at most one in a row.
            if line.isEmpty, lines.last?.isEmpty == true { continue }
            lines.append(line)
        }
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let expression = compiled(pattern) else { return false }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Each pattern compiled once (a long email runs them on every line).
    private static let cache = Mutex<[String: NSRegularExpression]>([:])

    private static func compiled(_ pattern: String) -> NSRegularExpression? {
        if let cached = cache.withLock({ $0[pattern] }) { return cached }
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return nil }
        cache.withLock { $0[pattern] = expression }
        return expression
    }
}
