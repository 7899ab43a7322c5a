import Foundation
import Synchronization

/// The overview chart's per-minute counts of minutes that are over, kept between refreshes, so
/// a refresh reads only the last two minutes of `herald_jobs` instead of the whole hour (about
/// 100,000 index entries on a queue finishing 25 jobs a second). Each process keeps its own;
/// a minute's counts are taken once it ended more than a minute ago, when late commits are done.
final class ConsoleChartCache: Sendable {
    private struct State {
        /// Minutes (epoch seconds) up to and including this one are counted in `counts`.
        var through: Int64?
        var counts: [Int64: (completed: Int, failed: Int)] = [:]
    }

    private let state = Mutex(State())

    /// The earliest finish time the next query must read, given the window's first minute.
    func readFrom(windowStart: Int64) -> Int64 {
        state.withLock { state in
            guard let through = state.through, through + 60 >= windowStart else { return windowStart }
            return through + 60
        }
    }

    /// Merges the rows read from `from` (minute → counts) with the cached minutes, for the window
    /// `[currentMinute − 59 min, currentMinute]`, and caches the minutes that are over.
    func merge(rows: [Int64: (completed: Int, failed: Int)], from: Int64, currentMinute: Int64) -> [Int64: (completed: Int, failed: Int)] {
        let windowStart = currentMinute - 59 * 60
        let settled = currentMinute - 120  // the last minute whose counts no late commit can change
        return state.withLock { state in
            if state.through.map({ $0 + 60 < from }) ?? true { state.counts = [:] }
            var minute = from
            while minute <= settled {
                state.counts[minute] = rows[minute] ?? (0, 0)
                minute += 60
            }
            if settled >= from { state.through = settled }
            state.counts = state.counts.filter { $0.key >= windowStart }
            var merged = state.counts
            for (minute, counts) in rows where minute > settled { merged[minute] = counts }
            return merged
        }
    }
}
