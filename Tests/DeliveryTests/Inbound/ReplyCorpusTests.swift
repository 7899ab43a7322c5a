import Foundation
import Mail
import Testing

/// One fixture of `ReplyCorpus/`: a reply as a mail client writes it, and the text its author
/// wrote (the expected result, written by hand).
struct ReplyFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var client: String
    var language: String
    var posting: String
    var format: String
    var source: String
    var body: String
    var expected: String

    var testDescription: String { name }

    /// Every fixture, in name order. File format: `key: value` lines, `=== body ===`, the body,
    /// `=== expected ===`, the expected text (its final newline is not part of it).
    static let all: [ReplyFixture] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ReplyCorpus")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
        return names.compactMap { name in
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8),
                let bodyMarker = text.range(of: "\n=== body ===\n"), let expectedMarker = text.range(of: "=== expected ===\n")
            else { return nil }
            var fields: [String: String] = [:]
            for line in text[..<bodyMarker.lowerBound].split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var expected = String(text[expectedMarker.upperBound...])
            if expected.hasSuffix("\n") { expected.removeLast() }
            return ReplyFixture(
                name: String(name.dropLast(4)), client: fields["client"] ?? "", language: fields["language"] ?? "",
                posting: fields["posting"] ?? "", format: fields["format"] ?? "text", source: fields["source"] ?? "",
                body: String(text[bodyMarker.upperBound..<expectedMarker.lowerBound]), expected: expected)
        }
    }()

    /// What Herald stores as the message body for this email.
    var heraldResult: String {
        format == "html"
            ? InboundReplyText.extract(textBody: nil, htmlBody: body, strippedTextReply: nil)
            : InboundReplyText.extract(textBody: body, htmlBody: nil, strippedTextReply: nil)
    }
}

/// A model of Postmark's `StrippedTextReply`, for comparison only (Postmark's parser is not
/// public, and real values cannot be captured offline): the text above the first quote marker it
/// is known to handle (a `>` line, an English "On … wrote:" line, "-----Original Message-----", a
/// `From:` line), trimmed. It reads top-posted English replies right and keeps everything above
/// the first marker: what the issue observed (a bottom-posted reply kept only "Hi,", German and
/// French Outlook headers and wrapped attributions kept, "Von meinem iPhone gesendet" kept).
enum StrippedTextReplyModel {
    static func strip(_ body: String) -> String {
        var kept: [String] = []
        for line in body.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(">") || trimmed.range(of: #"^On\s.*\swrote:$"#, options: .regularExpression) != nil
                || trimmed.range(of: #"^-+\s*Original Message\s*-+$"#, options: [.regularExpression, .caseInsensitive]) != nil
                || trimmed.hasPrefix("From:") || trimmed.hasPrefix("*From:*")
            {
                break
            }
            kept.append(String(line))
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Scores a result against a fixture's expected text.
struct ReplyScore {
    var exact = 0
    var linesLost = 0
    var fixtures = 0

    /// Non-empty lines of the expected text that the result does not contain.
    static func lostLines(expected: String, result: String) -> [String] {
        let kept = Set(result.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        return expected.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !kept.contains($0) }
    }

    mutating func add(expected: String, result: String) {
        fixtures += 1
        if result == expected { exact += 1 }
        linesLost += Self.lostLines(expected: expected, result: result).count
    }

    var summary: String { "\(exact)/\(fixtures) exact, \(linesLost) line(s) the author wrote lost" }
}

@Suite("Reply corpus: Herald's parser against hand-written expectations")
struct ReplyCorpusTests {
    @Test func theCorpusCoversEveryFormatAsked() throws {
        let fixtures = ReplyFixture.all
        #expect(fixtures.count >= 50)
        for language in ["en", "de", "fr", "es", "it", "nl", "pt"] {
            #expect(fixtures.contains { $0.language == language }, "no fixture in \(language)")
        }
        for posting in ["top", "bottom", "inline"] {
            #expect(fixtures.contains { $0.posting == posting }, "no \(posting)-posted fixture")
        }
        for client in ["Gmail", "Outlook desktop", "Outlook on the web", "Apple Mail macOS", "Apple Mail iOS", "Thunderbird", "Android", "Samsung"] {
            #expect(fixtures.contains { $0.client.contains(client) }, "no fixture from \(client)")
        }
        #expect(fixtures.contains { $0.format == "html" })
        #expect(fixtures.allSatisfy { !$0.source.isEmpty && !$0.expected.isEmpty })
    }

    @Test(arguments: ReplyFixture.all)
    func fixture(_ fixture: ReplyFixture) {
        let result = fixture.heraldResult
        #expect(ReplyScore.lostLines(expected: fixture.expected, result: result).isEmpty, "lost lines of \(fixture.name)")
        #expect(result == fixture.expected, "\(fixture.name)")
    }

    /// Prints the scores (read them with `scripts/test --filter ReplyCorpusTests`) and holds Herald's
    /// parser to losing nothing and doing at least as well as the StrippedTextReply model.
    @Test func scoreAgainstStrippedTextReply() {
        var herald = ReplyScore()
        var heraldText = ReplyScore()
        var postmark = ReplyScore()
        for fixture in ReplyFixture.all {
            let result = fixture.heraldResult
            herald.add(expected: fixture.expected, result: result)
            guard fixture.format == "text" else { continue }
            heraldText.add(expected: fixture.expected, result: result)
            postmark.add(expected: fixture.expected, result: StrippedTextReplyModel.strip(fixture.body))
        }
        print("reply corpus: \(herald.fixtures) fixtures (\(heraldText.fixtures) plain text, \(herald.fixtures - heraldText.fixtures) HTML-only)")
        print("reply corpus: Herald parser, all fixtures: \(herald.summary)")
        print("reply corpus: Herald parser, plain-text fixtures: \(heraldText.summary)")
        print("reply corpus: StrippedTextReply model, plain-text fixtures: \(postmark.summary)")
        #expect(herald.linesLost == 0)
        #expect(heraldText.exact >= postmark.exact)
    }
}

@Suite("Reply parser on long emails")
struct LongReplyTests {
    /// A long thread (4,000 nested quotes, an inline answer between each) is read in one pass and
    /// keeps every answer: the header search does not restart at every line.
    @Test func everyInlineAnswerOfALongThreadIsKept() {
        var lines = ["Top note."]
        for index in 0..<4_000 {
            lines.append("On Tue, 3 Mar 2026 at 09:14, Person \(index) <p\(index)@example.com> wrote:")
            lines.append("> question \(index)")
            lines.append("answer \(index)")
        }
        let result = ReplyQuoteStripper.strip(lines.joined(separator: "\n"))
        let answers = result.split(separator: "\n").filter { $0.hasPrefix("answer ") }
        #expect(answers.count == 4_000)
        #expect(result.hasPrefix("Top note.\n\nanswer 0\n\nanswer 1"))
        #expect(!result.contains("question"))
    }
}
