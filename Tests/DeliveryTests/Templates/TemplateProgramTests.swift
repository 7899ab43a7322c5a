import Foundation
import HeraldJSON
import HeraldTestSupport
@testable import Notifications
import Testing

/// ``JSONValue`` contexts (handed to swift-mustache through its customisation protocols, see
/// ``MustacheObject``) against the `[String: Any]` form of the same context (swift-mustache's
/// plain walk): both must give the same text for every template and context.
@Suite("JSONValue contexts render exactly like their [String: Any] form")
struct TemplateProgramTests {
    /// The same source in every field: subject (text pragma, then sanitised), HTML body, text body
    /// and SMS body (text pragma, trimmed).
    private func compile(_ source: String) throws -> CompiledNotificationTemplate {
        try TemplateRenderer().compile(
            NotificationTemplate(key: "k", subject: source, htmlBody: source, textBody: source, smsBody: source))
    }

    private func expectSameOutput(
        _ source: String, _ context: JSONValue, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let compiled = try self.compile(source)
        let reference = compiled.render(context: context.mustacheValue as? [String: Any] ?? [:])
        let rendered = compiled.render(context: context)
        #expect(rendered == reference, "template \(source.debugDescription) with \(context)", sourceLocation: sourceLocation)
    }

    static let context: JSONValue = [
        "name": "Ada", "amp": "Tom & Jerry <tj@example.com> \"q\" 'a'", "empty": "", "zero": 0, "one": 1, "negative": -42,
        "ratio": 0.5, "whole": 3.0, "huge": 1e20, "tiny": 1e-7, "yes": true, "no": false, "nothing": nil,
        "items": ["a < b", "c & d", 7, 2.5, true, nil, ["x": 1], [1, 2], []],
        "people": [["name": "Bob", "role": "admin"], ["role": "guest"], ["name": nil]],
        "obj": ["a": 1, "b": ["c": "deep <c>"]], "single": ["only": "one"], "none": [], "emptyObject": [:],
        "fused": "\u{0600}<x> <\u{0301} é&é \"\u{0308}'", "emoji": "👩‍👩‍👧 & 🇫🇷 <ok>", "lines": "a\r\nb\nc\u{2028}d",
    ]

    static let templates: [String] = [
        "", "plain text, no tags", "{{name}}", "{{{amp}}} | {{&amp}} | {{amp}}", "{{zero}} {{one}} {{negative}} {{ratio}} {{whole}} {{huge}} {{tiny}}",
        "{{yes}} {{no}} [{{nothing}}] [{{missing}}] [{{empty}}]", "{{items}} {{none}} {{single}} {{emptyObject}}",
        "{{obj.a}} {{obj.b.c}} {{obj.b.missing}} {{obj.missing.c}} {{name.length}} {{items.0}}",
        "{{#items}}[{{.}}]{{/items}}", "{{#items}}<{{{.}}}>{{/items}}", "{{#people}}{{name}}:{{role}};{{/people}}",
        "{{#people}}{{.name}}|{{/people}}", "{{#obj}}{{a}}-{{b.c}}-{{name}}-{{.name}}{{/obj}}", "{{#obj.b}}{{c}}{{/obj.b}}",
        "{{#yes}}Y{{name}}{{/yes}}{{#no}}N{{/no}}{{^no}}notN{{/no}}{{^yes}}notY{{/yes}}",
        "{{#zero}}zero is truthy{{/zero}}{{#empty}}empty string is truthy{{.}}{{/empty}}{{#ratio}}{{.}}{{/ratio}}",
        "{{#nothing}}x{{/nothing}}{{^nothing}}null is falsy{{/nothing}}{{^missing}}missing is falsy{{/missing}}",
        "{{#none}}x{{/none}}{{^none}}empty list [{{.}}]{{/none}}{{^items}}x{{/items}}",
        "{{#emptyObject}}[{{name}}]{{/emptyObject}}{{^emptyObject}}x{{/emptyObject}}",
        "{{#single}}{{only}}{{.}}{{/single}}", "{{#items}}{{#.}}({{.}}){{/.}}{{/items}}", "{{#items}}{{^.}}falsy{{/.}}{{/items}}",
        "{{#people}}{{#name}}{{.}}{{/name}}{{^name}}anonymous{{/name}},{{/people}}",
        "{{#fused}}{{fused}}{{/fused}} {{fused}} {{emoji}} {{lines}}", "{{! a comment }}x{{!another}}y",
        "Hello {{name}},\n\n{{#items}}\n- {{.}}\n{{/items}}\n{{^none}}\n  nothing\n{{/none}}\nend\n",
        "  {{#yes}}  \n  indented\n  {{/yes}}  \n",
        "{{ name }} {{# yes }}y{{/ yes }}", "{{=<% %>=}}\n<% name %> <%& amp %> <%#yes%>y<%/yes%>", "{{% CONTENT_TYPE: TEXT}}\n{{amp}}{{% CONTENT_TYPE: HTML}}\n{{amp}}",
        "{{#yes}}{{% CONTENT_TYPE: TEXT}}{{amp}}{{/yes}}{{amp}}", "{{#obj}}{{#b}}{{c}}{{a}}{{name}}{{/b}}{{/obj}}",
        "{{#people}}{{#obj}}{{role}}{{a}}{{/obj}}{{/people}}", "{{.name}} {{.obj.a}}", "{{#items}}{{.missing}}{{name}}{{/items}}",
        "\r\n{{name}}\r\n{{#yes}}\r\nx\r\n{{/yes}}\r\n",
    ]

    @Test("A corpus of templates and contexts gives swift-mustache's text in every field")
    func corpus() throws {
        for template in Self.templates {
            try self.expectSameOutput(template, Self.context)
            try self.expectSameOutput(template, [:])
            try self.expectSameOutput(template, ["name": "Zoë", "items": [], "none": [], "yes": false, "obj": nil])
        }
    }

    @Test("The default templates shipped in sql/ with the delivery benchmark's data")
    func defaultTemplates() throws {
        let data: JSONValue = [
            "type": "task.assigned", "priority": "urgent", "notification_id": "0b5e6ad6-0a77-4c51-a7d2-1b6c0f0e8f10",
            "recipient_email": "bench1@example.com", "task_title": "Benchmark task 1", "assigned_by": "Herald bench",
            "url": "https://app.example.com/tasks/5e8e…?a=1&b=2", "due_date": "Friday", "recipient_name": "O'Brien",
            "period_label": "today", "count": 2, "items": [["subject": "S1", "url": "u", "text": "t"], ["subject": "S2 <b>"]],
        ]
        let shipped = try String(contentsOf: Self.sqlDirectory.appendingPathComponent("011_notification_templates.sql"), encoding: .utf8)
        // The quoted literals of the INSERT: every field of every default template.
        let literals = shipped.split(separator: "INSERT INTO notification_templates")[1]
            .split(separator: "'", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(literals.count >= 20)
        for literal in literals where literal.contains("{{") {
            try self.expectSameOutput(literal, data)
            try self.expectSameOutput(literal, [:])
        }
    }

    @Test("Templates with partials, transforms or inheritance give the same output")
    func fallback() throws {
        for template in ["{{> partial}}x{{name}}", "{{uppercased(name)}}", "{{#items}}{{index()}}{{/items}}", "{{#reversed(items)}}{{.}}{{/reversed(items)}}",
            "{{<parent}}{{$block}}b{{/block}}{{/parent}}", "{{$block}}default {{name}}{{/block}}"]
        {
            try self.expectSameOutput(template, Self.context)
        }
    }

    @Test("Rendering one channel's columns gives render's fields for those columns only")
    func renderColumns() throws {
        let compiled = try self.compile("{{#items}}[{{.}}]{{/items}} {{amp}}")
        var full = compiled.render(context: Self.context)
        #expect(full.smsBody != nil)
        full.fields["sms_body"] = nil
        #expect(compiled.render(context: Self.context, columns: ["subject", "html_body", "text_body"]) == full)
        #expect(compiled.render(context: Self.context, columns: ["sms_body", "no_such_column"]).fields.keys.sorted() == ["sms_body"])
    }

    @Test("{{.}} at the top prints the context object (one member: hash order would differ)")
    func topLevelDot() throws {
        for template in ["{{.}}", "{{#yes}}{{.}}{{/yes}}", "{{{.}}}"] {
            try self.expectSameOutput(template, ["yes": true])
            try self.expectSameOutput(template, [:])
        }
    }

    @Test("A null context renders like an empty object")
    func nullContext() throws {
        let compiled = try self.compile("[{{name}}]{{^name}}none{{/name}}")
        #expect(compiled.render(context: .null) == compiled.render(context: [String: Any]()))
    }

    @Test("Random templates over random contexts")
    func randomised() throws {
        var generator = SeededGenerator(seed: 0x5eed_cafe)
        for _ in 0..<1_000 {
            let template = Self.randomTemplate(depth: 0, using: &generator)
            let context = Self.randomObject(depth: 0, topLevel: true, using: &generator)
            try self.expectSameOutput(template, context)
        }
    }

    @Test("HTML escaping replaces whole Characters, graphemes included")
    func htmlEscaping() throws {
        let samples = [
            "", "plain", "<>&\"'", "a<b>c&d\"e'f", "<", "&&", "é<é", "<é", "é<", "\u{0600}<", "<\u{0301}", "\"\u{0308}", "&\u{200D}x",
            "\u{1F469}\u{200D}<", "😀&😀", "a\r\n<", "<\r\n", "\u{0301}<", "x\u{0600}", "\u{0600}\u{0600}&b", "日本<語>",
        ]
        let escapes: [Character: String] = ["<": "&lt;", ">": "&gt;", "&": "&amp;", "\"": "&quot;", "'": "&#39;"]
        for sample in samples {
            var expected = ""
            for character in sample { expected += escapes[character] ?? String(character) }
            let compiled = try TemplateRenderer().compile(NotificationTemplate(key: "k", subject: "s", htmlBody: "prefix:{{x}}", textBody: ""))
            #expect(compiled.render(context: ["x": .string(sample)]).htmlBody == "prefix:" + expected, "\(sample.debugDescription)")
        }
    }

    @Test("SMS trimming equals Foundation's whitespacesAndNewlines trimming")
    func smsTrimming() throws {
        let compiled = try TemplateRenderer().compile(NotificationTemplate(key: "k", subject: "s", htmlBody: "", textBody: "", smsBody: "{{{x}}}"))
        for sample in ["", " ", "x", " x", "x ", "\tx\n", "x\u{85}", "\u{00A0}x", "x\u{2028}", "a b", "\u{1}x\u{7F}", "é", " é ", "x\r\n", "\u{3000}x"] {
            #expect(compiled.render(context: ["x": .string(sample)]).smsBody == sample.trimmingCharacters(in: .whitespacesAndNewlines), "\(sample.debugDescription)")
        }
    }

    // MARK: Random generation

    private static let names = ["a", "b", "c", "list", "obj", "flag", "n", "s", "obj.a", "obj.b.c", "list.a", ".a", "missing", "x.y"]
    private static let sectionNames = ["a", "b", "c", "list", "obj", "flag", "n", "s", "obj.b", ".", "missing", ".list"]
    private static let texts = ["x", " ", "\n", "<p>", "&", "  \n", "é", "'", "\r\n", "ab"]

    private static func randomTemplate(depth: Int, using generator: inout SeededGenerator) -> String {
        var parts: [String] = []
        for _ in 0..<Int.random(in: 1...6, using: &generator) {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0, 1: parts.append(texts.randomElement(using: &generator) ?? "")
            case 2, 3: parts.append("{{\(names.randomElement(using: &generator) ?? "a")}}")
            case 4: parts.append("{{{\(names.randomElement(using: &generator) ?? "a")}}}")
            case 5...7 where depth < 4:
                let name = sectionNames.randomElement(using: &generator) ?? "a"
                let kind = Bool.random(using: &generator) ? "#" : "^"
                let standalone = Bool.random(using: &generator) ? "\n" : ""
                parts.append("\(standalone){{\(kind)\(name)}}\(standalone)\(randomTemplate(depth: depth + 1, using: &generator))\(standalone){{/\(name)}}\(standalone)")
            case 8: parts.append("{{! note }}")
            default: parts.append(Bool.random(using: &generator) ? "{{% CONTENT_TYPE: TEXT}}" : "{{% CONTENT_TYPE: HTML}}")
            }
        }
        return parts.joined()
    }

    /// Nested objects get at most one member: swift-mustache prints a rendered dictionary in hash
    /// order, which differs between two dictionaries with the same contents.
    private static func randomObject(depth: Int, topLevel: Bool, using generator: inout SeededGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        let keys = ["a", "b", "c", "list", "obj", "flag", "n", "s", "y"]
        for _ in 0..<(topLevel ? 8 : Int.random(in: 0...1, using: &generator)) {
            members[keys.randomElement(using: &generator) ?? "a"] = randomValue(depth: depth + 1, using: &generator)
        }
        if topLevel && Bool.random(using: &generator) {
            // A list mixing every kind of element, nulls and empty lists included.
            members["list"] = .array((0..<Int.random(in: 2...6, using: &generator)).map { _ in randomValue(depth: 2, using: &generator) })
        }
        return .object(members.map { (key: $0.key, value: $0.value) })
    }

    private static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth < 3 ? 10 : 7), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int.random(in: -2...2, using: &generator))
        case 3: return .double([0.5, 3.0, -0.0, 1e21].randomElement(using: &generator) ?? 0)
        case 4, 5, 6: return .string(texts.randomElement(using: &generator) ?? "")
        case 7, 8: return .array((0..<Int.random(in: 0...3, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default: return randomObject(depth: depth, topLevel: false, using: &generator)
        }
    }

    private static var sqlDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql")
    }
}
