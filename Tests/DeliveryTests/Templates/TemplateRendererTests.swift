import Foundation
import HeraldJSON
import Mail
import Notifications
import Testing

@Suite("TemplateRenderer")
struct TemplateRendererTests {
    let template = NotificationTemplate(
        key: "task.assigned",
        subject: "{{actor}} assigned you “{{task.title}}”",
        htmlBody: "<p>Hi {{name}},</p>\n<p>{{actor}} assigned <b>{{task.title}}</b>.</p>\n{{#items}}<li>{{.}}</li>{{/items}}{{^items}}<p>No items</p>{{/items}}",
        textBody: "Hi {{name}},\n\n{{actor}} assigned {{task.title}}.\n{{#items}}- {{.}}\n{{/items}}",
        smsBody: "  {{actor}}: {{task.title}} (due {{task.due}})  \n"
    )

    let context: JSONValue = [
        "name": "Ada",
        "actor": "Tom & Jerry <tj@example.com>",
        "task": ["title": "Fix \"quotes\" & <tags>", "due": "Friday", "count": 3],
        "items": ["a < b", "c & d"],
    ]

    @Test("HTML body escapes variables; subject, text and SMS do not")
    func escaping() throws {
        let rendered = try TemplateRenderer().render(self.template, context: self.context)
        #expect(rendered.subject == "Tom & Jerry <tj@example.com> assigned you “Fix \"quotes\" & <tags>”")
        #expect(
            rendered.htmlBody
                == "<p>Hi Ada,</p>\n<p>Tom &amp; Jerry &lt;tj@example.com&gt; assigned <b>Fix &quot;quotes&quot; &amp; &lt;tags&gt;</b>.</p>\n<li>a &lt; b</li><li>c &amp; d</li>"
        )
        #expect(rendered.textBody == "Hi Ada,\n\nTom & Jerry <tj@example.com> assigned Fix \"quotes\" & <tags>.\n- a < b\n- c & d\n")
        #expect(rendered.smsBody == "Tom & Jerry <tj@example.com>: Fix \"quotes\" & <tags> (due Friday)")
    }

    @Test("Text fields render exactly as written: a leading newline survives the pragma")
    func textFidelity() throws {
        let template = NotificationTemplate(key: "k", subject: "S", htmlBody: "", textBody: "\nLine {{n}}\n  indented\n")
        #expect(try TemplateRenderer().render(template, context: ["n": 1]).textBody == "\nLine 1\n  indented\n")
    }

    @Test("Integers render without a decimal point; null and missing values render empty")
    func values() throws {
        let template = NotificationTemplate(key: "k", subject: "{{count}} new, {{ratio}}, [{{missing}}][{{nothing}}]", htmlBody: "{{#flag}}on{{/flag}}{{^nothing}}null is falsy{{/nothing}}", textBody: "")
        let value: JSONValue = ["count": 3, "ratio": 0.5, "nothing": nil, "flag": true]
        let rendered = try TemplateRenderer().render(template, context: value)
        #expect(rendered.subject == "3 new, 0.5, [][]")
        #expect(rendered.htmlBody == "onnull is falsy")
        // The same through the [String: Any] overload, where nil arrives as a boxed Optional.
        let nothing: String? = nil
        let plain: [String: Any] = ["count": 3, "ratio": 0.5, "nothing": nothing as Any, "flag": true]
        let renderedPlain = try TemplateRenderer().render(template, context: plain)
        #expect(renderedPlain == rendered)
    }

    @Test("A subject with line breaks (from data or template) becomes one line")
    func subjectSingleLine() throws {
        let template = NotificationTemplate(key: "k", subject: "Re:\n{{title}}", htmlBody: "", textBody: "")
        let rendered = try TemplateRenderer().render(template, context: ["title": "Evil\r\nBcc: victim@example.com"])
        #expect(rendered.subject == "Re: Evil Bcc: victim@example.com")
    }

    @Test("Context parsed from JSON (a notification's data jsonb)")
    func jsonContext() throws {
        let json = #"{"name":"Ada","task":{"title":"Ship","count":2,"done":false},"items":[1,2.5,null,"x"],"whole":3.0}"#
        let context = try JSONValue(parsing: json)
        #expect(context == ["name": "Ada", "task": ["title": "Ship", "count": 2, "done": false], "items": [1, 2.5, nil, "x"], "whole": 3.0])
        let template = NotificationTemplate(key: "k", subject: "{{name}}: {{task.title}} ({{task.count}}){{#task.done}} done{{/task.done}} {{whole}}", htmlBody: "{{#items}}[{{.}}]{{/items}}", textBody: "")
        let rendered = try TemplateRenderer().render(template, context: context)
        // 3.0 is an integer, as JSONDecoder would decode it: no decimal point.
        #expect(rendered.subject == "Ada: Ship (2) 3")
        #expect(rendered.htmlBody == "[1][2.5][][x]")
    }

    @Test("A [String: Any] context works too")
    func dictionaryContext() throws {
        let context: [String: Any] = ["name": "Ada", "task": ["title": "A & B"] as [String: Any]]
        let rendered = try TemplateRenderer().render(self.template, context: context)
        #expect(rendered.htmlBody.hasPrefix("<p>Hi Ada,</p>"))
        #expect(rendered.textBody.contains("assigned A & B."))
        #expect(rendered.htmlBody.contains("<b>A &amp; B</b>"))
    }

    @Test("No SMS body in the template means no SMS text")
    func noSMS() throws {
        let template = NotificationTemplate(key: "k", subject: "s", htmlBody: "h", textBody: "t")
        #expect(try TemplateRenderer().render(template, context: [:]).smsBody == nil)
    }

    @Test(
        "Syntax errors are DeliveryErrors naming template, column (as in notification_templates), line and column number",
        arguments: [
            (NotificationTemplate(key: "bad.html", subject: "ok", htmlBody: "<p>\n{{#items}}\n<li>{{.}}</li>\n{{/itemz}}", textBody: ""), "html_body:", "line 4"),
            (NotificationTemplate(key: "bad.text", subject: "ok", htmlBody: "", textBody: "line one\nline two {{name"), "text_body:", "line 2"),
            (NotificationTemplate(key: "bad.subject", subject: "{{#open}}never closed", htmlBody: "", textBody: ""), "subject:", "line 1"),
            (NotificationTemplate(key: "bad.sms", subject: "", htmlBody: "", textBody: "", smsBody: "{{% CONTENT_TYPE: PDF}}"), "sms_body:", "unknown pragma"),
        ]
    )
    func syntaxErrors(template: NotificationTemplate, field: String, fragment: String) {
        #expect { try TemplateRenderer().render(template, context: [:]) } throws: { error in
            guard let error = error as? DeliveryError, error.code == .templateSyntax else { return false }
            return error.message.contains("'\(template.key)'") && error.message.contains(field) && error.message.contains(fragment)
        }
    }

    @Test("Compiled templates render repeatedly with different contexts")
    func compiled() throws {
        let compiled = try TemplateRenderer().compile(self.template)
        #expect(compiled.key == "task.assigned")
        #expect(compiled.render(context: ["name": "A"]).htmlBody.hasPrefix("<p>Hi A,"))
        #expect(compiled.render(context: ["name": "B"]).htmlBody.hasPrefix("<p>Hi B,"))
    }

    @Test("Selection: tenant override first, then the default, never another tenant's")
    func selection() throws {
        let tenant = UUID()
        let otherTenant = UUID()
        let defaultTemplate = NotificationTemplate(key: "task.assigned", subject: "default", htmlBody: "", textBody: "")
        let override = NotificationTemplate(key: "task.assigned", tenantID: tenant, subject: "override", htmlBody: "", textBody: "")
        let otherOverride = NotificationTemplate(key: "task.assigned", tenantID: otherTenant, subject: "other", htmlBody: "", textBody: "")
        let unrelated = NotificationTemplate(key: "task.done", tenantID: tenant, subject: "unrelated", htmlBody: "", textBody: "")
        let all = [otherOverride, defaultTemplate, unrelated, override]

        #expect(NotificationTemplate.select(key: "task.assigned", tenantID: tenant, from: all)?.sources["subject"] == "override")
        #expect(NotificationTemplate.select(key: "task.assigned", tenantID: UUID(), from: all)?.sources["subject"] == "default")
        #expect(NotificationTemplate.select(key: "task.assigned", tenantID: nil, from: all)?.sources["subject"] == "default")
        #expect(NotificationTemplate.select(key: "task.assigned", tenantID: otherTenant, from: [otherOverride])?.sources["subject"] == "other")
        #expect(NotificationTemplate.select(key: "task.assigned", tenantID: tenant, from: [otherOverride]) == nil)
        #expect(NotificationTemplate.select(key: "task.done", tenantID: nil, from: all) == nil)
        #expect { try NotificationTemplate.require(key: "missing", tenantID: tenant, from: all) } throws: { error in
            (error as? DeliveryError)?.code == .templateNotFound
        }
    }
}
