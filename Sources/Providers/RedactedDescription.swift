/// A value that may be logged whole: its `description`, `debugDescription` and reflection mirror
/// are all made from one list of its members in which every secret is already masked, so no
/// rendering can show what another hides.
///
/// A conforming type lists ``redactedMembers`` in order, each secret replaced by
/// `Redaction.mask` and each URL passed through `Redaction.url(_:)`; `description` is then
/// `TypeName(label: value, …)` and `dump(_:)` shows the same members.
public protocol RedactedDescription: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Every member to show, in order, with its secrets masked. Each value is printed as it is, so
    /// an absent optional is given as `"none"`.
    var redactedMembers: KeyValuePairs<String, Any> { get }
}

extension RedactedDescription {
    /// `TypeName(label: value, …)`, from ``redactedMembers``.
    public var description: String {
        "\(Self.self)(" + redactedMembers.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }

    /// Same as `description`: the secrets are masked here too.
    public var debugDescription: String { description }

    /// A struct mirror of ``redactedMembers``, so `dump(_:)` cannot print a secret either.
    public var customMirror: Mirror { Mirror(self, children: redactedMembers, displayStyle: .struct) }
}
