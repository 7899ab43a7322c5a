public import Foundation
import ArgumentParser

/// Herald's configuration variables, read from the process environment once, with one rule.
///
/// **Blank is unset.** Every value is trimmed of leading and trailing whitespace; a value that is
/// then empty counts as unset and gets the setting's default, for every variable
/// (`HERALD_PUBLIC_URL= herald work` is the same as not setting it). Typed reads throw a
/// ``SettingsError`` naming the variable; a secret's value is never part of an error.
///
/// It keeps only Herald's variables (`HERALD_*`, `DATABASE_URL`, `POSTMARK_*`, `TWILIO_*`), never
/// the whole environment, and prints and reflects as their names only, so no value reaches a log
/// through it. The library modules never read the environment: the builders in this folder turn
/// settings into their configuration values (`PostgresConfiguration`, `PostmarkConfiguration`,
/// `TwilioConfiguration`, `DiscussionSettings`, `ServerConfiguration`, `WorkerConfiguration` …).
/// Command-line flags, where a setting has one, take precedence over the variable.
public struct Settings: Sendable, CustomStringConvertible, CustomReflectable {
    /// The name prefixes of the variables kept.
    static let prefixes = ["HERALD_", "POSTMARK_", "TWILIO_"]
    /// Variables kept besides the prefixed ones.
    static let otherNames: Set<String> = ["DATABASE_URL"]

    /// The process environment's settings, read once, when first used. Commands take these
    /// unless given others (tests pass their own).
    public static let process = Settings()

    /// The trimmed, non-blank values of Herald's variables.
    private var values: [String: String]

    /// Reads Herald's variables from `environment` (by default the process environment).
    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        var values: [String: String] = [:]
        for (name, raw) in environment where Self.otherNames.contains(name) || Self.prefixes.contains(where: name.hasPrefix) {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { values[name] = trimmed }
        }
        self.values = values
    }

    /// A copy with `name` set to `value` (by the same blank rule), for a flag that overrides a
    /// variable; nil leaves it as it is.
    public func overriding(_ name: String, with value: String?) -> Settings {
        guard let value else { return self }
        var copy = self
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        copy.values[name] = trimmed.isEmpty ? nil : trimmed
        return copy
    }

    /// The trimmed value of `name`, or nil when it is unset or blank.
    public func string(_ name: String) -> String? { values[name] }

    /// True when `name` has a non-blank value.
    public func isSet(_ name: String) -> Bool { values[name] != nil }

    /// The first of `names` that is set, with its value.
    func first(_ names: String...) -> (name: String, value: String)? {
        for name in names { if let value = values[name] { return (name, value) } }
        return nil
    }

    /// A whole number from `name`, nil when unset. Throws `NAME=value is not <expected>` when the
    /// value is not a whole number or fails `isValid`.
    public func int(_ name: String, expected: String, where isValid: (Int) -> Bool = { _ in true }) throws(SettingsError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), isValid(value) else { throw SettingsError(name, "\(name)=\(text) is not \(expected)") }
        return value
    }

    /// A number from `name`, nil when unset. Throws `NAME=value is not <expected>` when the value is
    /// not a finite number or fails `isValid`.
    public func double(_ name: String, expected: String, where isValid: (Double) -> Bool = { _ in true }) throws(SettingsError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text), value.isFinite, isValid(value) else { throw SettingsError(name, "\(name)=\(text) is not \(expected)") }
        return value
    }

    /// A yes/no switch from `name`: `1`, `true`, `yes`, `on` are true; `0`, `false`, `no`, `off` are
    /// false (any case); nil when unset. Throws for anything else.
    public func bool(_ name: String) throws(SettingsError) -> Bool? {
        guard let text = values[name] else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw SettingsError(name, "\(name)=\(text) is not a yes/no value: use 1 or 0")
        }
    }

    /// `read(self)`, with a ``SettingsError`` turned into the command line's `ValidationError`.
    func validated<T>(_ read: (Settings) throws -> T) throws -> T {
        do { return try read(self) } catch let error as SettingsError { throw ValidationError(error.message) }
    }

    /// `Settings(set: [NAMES])`, without values.
    public var description: String { "Settings(set: \(values.keys.sorted()))" }

    /// A mirror with the variable names only.
    public var customMirror: Mirror { Mirror(self, children: ["set": values.keys.sorted()], displayStyle: .struct) }
}

/// A configuration problem: which variables are wrong and why (never a secret's value).
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// The variables named, in order.
    public var variables: [String]
    /// The message, one line per problem after an optional heading.
    public var message: String

    /// A problem with one variable.
    public init(_ variable: String, _ message: String) {
        self.variables = [variable]
        self.message = message
    }

    /// Several problems under one heading, for a component that needs several variables.
    public init(_ heading: String, problems: [(variable: String, message: String)]) {
        self.variables = problems.map(\.variable)
        self.message = problems.count == 1 ? "\(heading): \(problems[0].message)"
            : "\(heading):\n  - " + problems.map(\.message).joined(separator: "\n  - ")
    }

    /// The message.
    public var description: String { message }
}

/// Collects every problem of one component, so one error names all the variables an operator
/// has to fix.
struct SettingsProblems {
    private(set) var problems: [(variable: String, message: String)] = []

    /// Records a problem with `variable`.
    mutating func fail(_ variable: String, _ message: String) { problems.append((variable, message)) }

    /// Runs `read`, recording its error instead of throwing; nil then.
    mutating func record<T>(_ read: () throws(SettingsError) -> T?) -> T? {
        do { return try read() } catch { problems.append(contentsOf: zip(error.variables, [error.message]).map { ($0, $1) }); return nil }
    }

    /// Throws one ``SettingsError`` with every problem under `heading`, if any.
    func check(_ heading: String) throws(SettingsError) {
        guard !problems.isEmpty else { return }
        throw SettingsError(heading, problems: problems)
    }
}
