extension Duration {
    /// The duration in whole milliseconds, rounded up and at least 1: libcurl reads 0 as "no timeout",
    /// which a tiny positive Duration must never turn into.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 1 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        var milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        if milliseconds.overflow { return Int.max }
        let fraction = (attoseconds + perMillisecond - 1) / perMillisecond
        milliseconds = milliseconds.partialValue.addingReportingOverflow(fraction)
        if milliseconds.overflow { return Int.max }
        return Swift.max(1, Int(clamping: milliseconds.partialValue))
    }
}
