import Mail
/// Reads provider settings from environment variables and collects every problem, so one error
/// names all the variables an operator has to fix. Values are never echoed: a variable may hold a
/// secret, and a URL may carry credentials in its user-info part.
///
/// It keeps only the variables it was told to read, never the whole environment, and prints
/// (and reflects) as their names and the problems found, so no value reaches a log through it.
struct ProviderEnvironment: CustomStringConvertible, CustomReflectable {
    /// The non-blank, trimmed values of the variables named at creation.
    private let values: [String: String]
    /// The names given at creation; asking for another one is a programming error.
    private let names: Set<String>
    private(set) var problems: [String] = []

    /// Keeps the variables in `names` from `environment`; a blank value counts as unset, as
    /// `FOO= herald work` usually means "not configured".
    init(_ environment: [String: String], reading names: [String]) {
        var values: [String: String] = [:]
        for name in names {
            guard let raw = environment[name] else { continue }
            let trimmed = raw.trimmingASCIIWhitespace()
            if !trimmed.isEmpty { values[name] = trimmed }
        }
        self.values = values
        self.names = Set(names)
    }

    /// The value of `name`, or `nil` when it is unset or blank. `name` must be one of those given
    /// at creation.
    func value(_ name: String) -> String? {
        assert(names.contains(name), "\(name) was not declared when this ProviderEnvironment was created")
        return values[name]
    }

    /// `ProviderEnvironment(set: [NAMES], problems: [...])`, without values.
    var description: String {
        "ProviderEnvironment(set: \(values.keys.sorted()), problems: \(problems))"
    }

    /// A mirror with the variable names only.
    var customMirror: Mirror {
        Mirror(self, children: ["set": values.keys.sorted(), "problems": problems], displayStyle: .struct)
    }

    /// The value of `name`; records `hint` as a problem when it is missing.
    mutating func required(_ name: String, hint: String) -> String {
        if let value = self.value(name) { return value }
        problems.append("\(name) is not set: \(hint)")
        return ""
    }

    /// An absolute `http://` or `https://` URL from `name` (trailing slashes removed), or `fallback`
    /// when unset; records a problem when the value is not such a URL.
    mutating func url(_ name: String, default fallback: String?) -> String? {
        guard let value = self.value(name) else { return fallback }
        guard let normalized = Self.normalizedBaseURL(value) else {
            problems.append("\(name) must be an absolute http:// or https:// URL with a host")
            return fallback
        }
        return normalized
    }

    /// Records a problem found by the caller.
    mutating func fail(_ problem: String) {
        problems.append(problem)
    }

    /// Throws one ``DeliveryError`` listing every recorded problem.
    func check(_ what: String) throws(DeliveryError) {
        guard !problems.isEmpty else { return }
        throw DeliveryError(code: .invalidConfiguration, message: "\(what): " + problems.joined(separator: "; "))
    }

    /// `url` without trailing slashes when it is `http(s)://host…` with a non-empty host and no
    /// whitespace or control characters; otherwise `nil`.
    static func normalizedBaseURL(_ url: String) -> String? {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https://"
        } else if lowered.hasPrefix("http://") {
            scheme = "http://"
        } else {
            return nil
        }
        guard !url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            return nil
        }
        var trimmed = Substring(url)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let afterScheme = trimmed.dropFirst(scheme.count)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        guard !host.isEmpty, !host.hasPrefix(":") else { return nil }
        return String(trimmed)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs, CR and LF.
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
