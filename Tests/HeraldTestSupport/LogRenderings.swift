/// Everything a value can be turned into when a log line or an error message shows it:
/// `description`, `debugDescription` (`String(reflecting:)`) and `dump(_:)` of its mirror. A
/// secret must appear in none of them.
public func logRenderings(_ value: Any) -> [String] {
    var dumped = ""
    dump(value, to: &dumped)
    return ["\(value)", String(reflecting: value), dumped]
}
