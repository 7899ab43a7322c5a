import Mail

/// The overview's chart: completed and failed jobs per minute over the last hour, as inline SVG
/// rendered on the server (no chart library, no script). Colours come from the stylesheet
/// classes `bar-completed` / `bar-failed`, so the CSP needs no inline style. Pure.
struct ConsoleChart: Sendable {
    /// One minute of the hour, oldest first.
    struct Minute: Sendable, Hashable {
        /// `HH:MM` (UTC).
        var label: String
        var completed: Int
        var failed: Int
    }

    var minutes: [Minute]

    static let width = 720
    static let height = 160
    static let axis = 40

    /// The SVG element (stacked bars, failed on top, with a `<title>` per minute).
    func render() -> String {
        let peak = max(1, minutes.map { $0.completed + $0.failed }.max() ?? 1)
        let plotWidth = Double(Self.width - Self.axis)
        let plotHeight = Double(Self.height - 20)
        let slot = plotWidth / Double(max(1, minutes.count))
        var out = "<svg class=\"chart\" role=\"img\" aria-label=\"completed and failed jobs per minute\" viewBox=\"0 0 \(Self.width) \(Self.height)\" width=\"\(Self.width)\" height=\"\(Self.height)\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<line class=\"axis\" x1=\"\(Self.axis)\" y1=\"\(Int(plotHeight))\" x2=\"\(Self.width)\" y2=\"\(Int(plotHeight))\"/>"
        out += "<text class=\"tick\" x=\"\(Self.axis - 4)\" y=\"12\" text-anchor=\"end\">\(peak)</text>"
        out += "<text class=\"tick\" x=\"\(Self.axis - 4)\" y=\"\(Int(plotHeight))\" text-anchor=\"end\">0</text>"
        for (index, minute) in minutes.enumerated() {
            let x = Double(Self.axis) + Double(index) * slot + 1
            let w = max(1, slot - 2)
            let completedHeight = plotHeight * Double(minute.completed) / Double(peak)
            let failedHeight = plotHeight * Double(minute.failed) / Double(peak)
            let label = HTMLEscaping.escape(minute.label)
            out += "<g><title>\(label) UTC: \(minute.completed) completed, \(minute.failed) failed</title>"
            if minute.completed > 0 {
                out += "<rect class=\"bar-completed\" x=\(Self.number(x)) y=\(Self.number(plotHeight - completedHeight)) width=\(Self.number(w)) height=\(Self.number(completedHeight))/>"
            }
            if minute.failed > 0 {
                out += "<rect class=\"bar-failed\" x=\(Self.number(x)) y=\(Self.number(plotHeight - completedHeight - failedHeight)) width=\(Self.number(w)) height=\(Self.number(failedHeight))/>"
            }
            out += "</g>"
            if index % 10 == 0 || index == minutes.count - 1 {
                let anchor = index == minutes.count - 1 ? "end" : "start"
                out += "<text class=\"tick\" x=\(Self.number(index == minutes.count - 1 ? x + w : x)) y=\"\(Self.height - 4)\" text-anchor=\"\(anchor)\">\(label)</text>"
            }
        }
        return out + "</svg>"
    }

    private static func number(_ value: Double) -> String {
        "\"" + String(Double(Int(value * 10)) / 10) + "\""
    }
}
