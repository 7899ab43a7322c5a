import Mustache

/// A parsed Mustache template reduced to the tags a ``TemplateValue`` context can exercise
/// (text, variables, sections, inverted sections, content-type pragmas), rendered straight from
/// the `TemplateValue` with swift-mustache's semantics.
///
/// Why: swift-mustache renders from `Any`, so every render first converted the whole context to
/// `[String: Any]` and then paid dynamic casts, `Mirror`s, name splitting and string
/// concatenation per tag. Parsing stays with swift-mustache (its standalone-line and delimiter
/// rules are the subtle part); this type only takes over rendering. swift-mustache keeps its
/// tokens internal, so they are read once per template with `Mirror`. When that reading meets
/// anything it does not know (partials, inheritance blocks, transforms, another content type or
/// a changed token layout in a future swift-mustache), ``init(_:)`` returns `nil` and the caller
/// renders with swift-mustache as before. The equality tests against swift-mustache's own output
/// (TemplateProgramTests) pin the two together.
struct TemplateProgram: Sendable {
    /// One token of the template.
    indirect enum Node: Sendable {
        case text(String)
        case variable(Name, escaped: Bool)
        case section(Name, [Node])
        case invertedSection(Name, [Node])
        /// `{{% CONTENT_TYPE: …}}`: whether variables from here on are HTML-escaped.
        case contentType(html: Bool)
    }

    /// A tag's name, split once: `a.b` looks `a` up the context stack, then `b` inside it; `.a`
    /// (and `.`) look only at the innermost context.
    struct Name: Sendable {
        var components: [String]
        var climbs: Bool

        init(_ name: String) {
            // swift-mustache: "." is the current object; a leading "." disables climbing.
            self.components = name == "." ? [] : name.split(separator: ".").map(String.init)
            self.climbs = name.first != "."
        }
    }

    let nodes: [Node]
    /// Rough size of the literal text, to reserve the output once.
    let textLength: Int

    /// Reads the tokens of `template`; `nil` when they include anything this renderer does not
    /// reproduce exactly.
    init?(_ template: MustacheTemplate) {
        guard let nodes = Self.nodes(of: template) else { return nil }
        self.nodes = nodes
        self.textLength = Self.textLength(of: nodes)
    }

    /// The template rendered with `context`, exactly as `MustacheTemplate.render(context.mustacheValue)`.
    func render(_ context: TemplateValue) -> String {
        var output = ""
        output.reserveCapacity(self.textLength + self.textLength / 2 + 16)
        // A null context renders like an empty object (the caller passed `[:]` for it before).
        var stack: [TemplateValue] = [context == .null ? .object([:]) : context]
        stack.reserveCapacity(8)
        Self.render(self.nodes, stack: &stack, html: true, into: &output)
        return output
    }

    // MARK: Rendering

    private static func render(_ nodes: [Node], stack: inout [TemplateValue], html: Bool, into output: inout String) {
        var html = html  // a pragma applies to the rest of its own section only, as in swift-mustache
        for node in nodes {
            switch node {
            case .text(let text):
                output.append(text)
            case .variable(let name, let escaped):
                guard let value = Self.resolve(name, in: stack) else { continue }
                if escaped && html {
                    Self.appendEscapingHTML(Self.text(of: value), to: &output)
                } else {
                    output.append(Self.text(of: value))
                }
            case .section(let name, let body):
                switch Self.resolve(name, in: stack) {
                case .none, .bool(false):
                    break
                case .bool(true):
                    Self.render(body, stack: &stack, html: html, into: &output)
                case .array(let items):
                    for item in items {
                        stack.append(item)
                        Self.render(body, stack: &stack, html: html, into: &output)
                        stack.removeLast()
                    }
                case let value?:
                    stack.append(value)
                    Self.render(body, stack: &stack, html: html, into: &output)
                    stack.removeLast()
                }
            case .invertedSection(let name, let body):
                switch Self.resolve(name, in: stack) {
                case .none, .bool(false):
                    Self.render(body, stack: &stack, html: html, into: &output)
                case .array(let items) where items.isEmpty:
                    // swift-mustache pushes the empty sequence, so `{{.}}` inside renders "[]".
                    stack.append(.array(items))
                    Self.render(body, stack: &stack, html: html, into: &output)
                    stack.removeLast()
                default:
                    break
                }
            case .contentType(let isHTML):
                html = isHTML
            }
        }
    }

    /// The value `name` refers to, or `nil` for missing and null values.
    private static func resolve(_ name: Name, in stack: [TemplateValue]) -> TemplateValue? {
        var components = name.components[...]
        var value: TemplateValue
        if let first = components.popFirst() {
            if name.climbs {
                // The innermost context that has the first component wins; the rest must follow from it.
                var found: TemplateValue?
                for object in stack.reversed() {
                    found = Self.member(first, of: object)
                    if found != nil { break }
                }
                guard let found else { return nil }
                value = found
            } else {
                guard let top = stack.last, let found = Self.member(first, of: top) else { return nil }
                value = found
            }
        } else {
            guard let top = stack.last else { return nil }
            value = top
        }
        for component in components {
            guard let found = Self.member(component, of: value) else { return nil }
            value = found
        }
        // (`TemplateValue` is ExpressibleByNilLiteral: a bare `nil` here would mean `.some(.null)`.)
        if case .null = value { return Optional.none }
        return value
    }

    /// A member of an object; nulls count as missing (they were left out of the `[String: Any]`).
    private static func member(_ key: String, of value: TemplateValue) -> TemplateValue? {
        guard case .object(let members) = value, let member = members[key], member != .null else { return nil }
        return member
    }

    /// A value as swift-mustache prints it: `String(describing:)` of its plain Swift form.
    private static func text(of value: TemplateValue) -> String {
        switch value {
        case .string(let string): string
        case .int(let int): String(int)
        case .double(let double): double.description
        case .bool(let bool): bool ? "true" : "false"
        case .null: ""
        case .array, .object: value.mustacheValue.map { String(describing: $0) } ?? ""
        }
    }

    /// Appends `text` with `< > & " '` replaced as swift-mustache's `htmlEscape()` does.
    ///
    /// swift-mustache compares whole `Character`s, so a special character fused with a
    /// neighbouring scalar into one grapheme (`"\u{0600}<"`, `"<\u{0301}"`) is left alone. A
    /// special ASCII byte between two ASCII bytes (or the ends) is always its own grapheme, so
    /// bytes are scanned; any other special byte sends the string through the `Character` loop.
    static func appendEscapingHTML(_ text: String, to output: inout String) {
        var text = text
        let specials: HTMLSpecials = text.withUTF8 { bytes in
            var found = HTMLSpecials.none
            for index in bytes.indices where Self.htmlEscape(bytes[index]) != nil {
                let asciiBefore = index == 0 || bytes[index - 1] < 0x80
                let asciiAfter = index + 1 == bytes.count || bytes[index + 1] < 0x80
                guard asciiBefore && asciiAfter else { return .fused }
                found = .isolated
            }
            return found
        }
        switch specials {
        case .none:
            output.append(text)
        case .fused:
            Self.appendEscapingHTMLByCharacter(text, to: &output)
        case .isolated:
            let utf8 = text.utf8
            var start = utf8.startIndex
            var index = start
            while index < utf8.endIndex {
                if let replacement = Self.htmlEscape(utf8[index]) {
                    output.append(contentsOf: text[start..<index])
                    output.append(replacement)
                    start = utf8.index(after: index)
                }
                utf8.formIndex(after: &index)
            }
            output.append(contentsOf: text[start..<index])
        }
    }

    private enum HTMLSpecials { case none, isolated, fused }

    @inline(__always)
    private static func htmlEscape(_ byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&#39;"
        default: nil
        }
    }

    private static let htmlEscapes: [Character: String] = ["<": "&lt;", ">": "&gt;", "&": "&amp;", "\"": "&quot;", "'": "&#39;"]

    /// swift-mustache's `htmlEscape()` verbatim, for text where graphemes matter.
    private static func appendEscapingHTMLByCharacter(_ text: String, to output: inout String) {
        for character in text {
            if let replacement = Self.htmlEscapes[character] {
                output.append(replacement)
            } else {
                output.append(character)
            }
        }
    }

    // MARK: Reading swift-mustache's tokens

    private static func nodes(of template: MustacheTemplate) -> [Node]? {
        guard let tokens = Mirror(reflecting: template).children.first(where: { $0.label == "tokens" })?.value else { return nil }
        let tokenMirror = Mirror(reflecting: tokens)
        guard tokenMirror.displayStyle == .collection else { return nil }
        var nodes: [Node] = []
        for token in tokenMirror.children {
            guard let node = Self.node(of: token.value) else { return nil }
            nodes.append(node)
        }
        return nodes
    }

    private static func node(of token: Any) -> Node? {
        let mirror = Mirror(reflecting: token)
        guard mirror.displayStyle == .enum, let payload = mirror.children.first, let label = payload.label else { return nil }
        let fields = Array(Mirror(reflecting: payload.value).children).map(\.value)
        switch label {
        case "text":
            return (payload.value as? String).map(Node.text)
        case "variable", "unescapedVariable":
            guard fields.count == 2, let name = fields[0] as? String, let transforms = fields[1] as? [String], transforms.isEmpty,
                !name.isEmpty
            else { return nil }
            return .variable(Name(name), escaped: label == "variable")
        case "section", "invertedSection":
            guard fields.count == 3, let name = fields[0] as? String, let transforms = fields[1] as? [String], transforms.isEmpty,
                !name.isEmpty, let body = fields[2] as? MustacheTemplate, let nodes = Self.nodes(of: body)
            else { return nil }
            return label == "section" ? .section(Name(name), nodes) : .invertedSection(Name(name), nodes)
        case "contentType":
            guard let contentType = payload.value as? any MustacheContentType else { return nil }
            let probe = "<&>\"'"
            switch (String(describing: type(of: contentType)), contentType.escapeText(probe)) {
            case ("HTMLContentType", "&lt;&amp;&gt;&quot;&#39;"): return .contentType(html: true)
            case ("TextContentType", probe): return .contentType(html: false)
            default: return nil
            }
        default:
            // Partials, inheritance blocks, dynamic partials: left to swift-mustache.
            return nil
        }
    }

    private static func textLength(of nodes: [Node]) -> Int {
        nodes.reduce(0) { total, node in
            switch node {
            case .text(let text): total + text.utf8.count
            case .section(_, let body), .invertedSection(_, let body): total + Self.textLength(of: body)
            case .variable: total + 16
            case .contentType: total
            }
        }
    }
}
