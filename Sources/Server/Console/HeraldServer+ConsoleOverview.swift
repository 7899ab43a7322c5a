import Foundation
import Hummingbird
import Queue

/// `GET /admin` and its self-refreshing fragment: the queue at a glance (``QueueInspector``).
extension HeraldServer {
    static let consoleRefreshMs = 5000

    /// `GET /admin`.
    func consoleOverview(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let fragment = consoleRenderer.render("overview_fragment", try await consoleOverviewData())
        return consolePage("overview", title: "Overview", nav: "overview",
                           context: ["fragment": fragment, "refreshMs": Self.consoleRefreshMs], access: access)
    }

    /// `GET /admin/overview/fragment`: what the page's script swaps in every few seconds.
    func consoleOverviewFragment(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        return consoleHTML(.ok, consoleRenderer.render("overview_fragment", try await consoleOverviewData()), access: access)
    }

    func consoleOverviewData() async throws -> [String: Any] {
        let queue = queueInspector
        async let counts = queue.liveCounts()
        // The window by this process's clock; the database's current minute decides what is over.
        let appMinute = Int64(Date().timeIntervalSince1970) / 60 * 60
        let readFrom = consoleChartCache.readFrom(windowStart: appMinute - 59 * 60 - 60)
        async let finished = queue.finishedPerMinute(since: readFrom)
        async let clock = queue.clock()
        async let oldestWaiting = queue.oldestWaiting()
        async let failingKinds = queue.failingKinds()
        async let leader = queue.leader()
        async let listeners = queue.listeningWorkers()
        async let holders = queue.leaseHolders()

        var queues: [String: [JobState: Int]] = [:]
        var perState: [JobState: Int] = [:]
        for count in try await counts {
            queues[count.queue, default: [:]][count.state] = count.count
            perState[count.state, default: 0] += count.count
        }
        let capped = perState.values.contains { $0 >= QueueInspector.countCap }
        let now = try await clock
        var read = [Int64: (completed: Int, failed: Int)]()
        for minute in try await finished {
            if minute.state == .completed {
                read[minute.minute, default: (0, 0)].completed += minute.count
            } else {
                read[minute.minute, default: (0, 0)].failed += minute.count
            }
        }
        let perMinute = consoleChartCache.merge(rows: read, from: readFrom, currentMinute: now.minute)
        let minutes = (0..<60).map { index -> ConsoleChart.Minute in
            let minute = now.minute - Int64(59 - index) * 60
            let counts = perMinute[minute] ?? (0, 0)
            // HH:MM of the minute, in UTC.
            let label = String(ConsoleRenderer.utc(Date(timeIntervalSince1970: TimeInterval(minute))).dropFirst(11).prefix(5))
            return .init(label: label, completed: counts.completed, failed: counts.failed)
        }
        var oldest: [String: QueueInspector.WaitingJob] = [:]
        for job in try await oldestWaiting { oldest[job.queue] = job }
        for name in oldest.keys where queues[name] == nil { queues[name] = [:] }
        let queueContexts: [[String: Any]] = queues.keys.sorted().map { name in
            let counts = queues[name] ?? [:]
            var entry: [String: Any] = ["queue": name, "queueParam": ConsoleRenderer.queryValue(name)]
            for state in [JobState.available, .scheduled, .running, .retryable] { entry[state.rawValue] = counts[state] ?? 0 }
            entry["failed"] = (counts[.failed] ?? 0) > 0 ? counts[.failed]! as Any : NSNull()
            if let first = oldest[name] {
                entry["oldestId"] = String(first.id)
                entry["oldestKind"] = first.kind
                entry["oldestWait"] = first.wait
            } else {
                entry["oldestId"] = NSNull()
            }
            return entry
        }
        let failing = try await failingKinds.map { kind -> [String: Any] in
            ["kind": kind.kind, "kindParam": ConsoleRenderer.queryValue(kind.kind), "failed": String(kind.failed),
             "retrying": String(kind.retrying), "last_at": ConsoleRenderer.time(kind.lastAt), "last_error": ConsoleRenderer.text(kind.lastError)]
        }
        let leaderContext: Any = try await leader.map { leader -> [String: Any] in
            ["worker": leader.worker, "since": ConsoleRenderer.time(leader.since), "leaseUntil": ConsoleRenderer.time(leader.leaseUntil)]
        } ?? NSNull()
        let listenerContexts = try await listeners.map { worker -> [String: Any] in
            ["pid": String(worker.pid), "application": worker.application, "client": worker.client,
             "since": ConsoleRenderer.time(worker.since), "stateChange": ConsoleRenderer.time(worker.stateChange)]
        }
        let holderContexts = try await holders.map { holder -> [String: Any] in
            ["worker": holder.worker, "running": String(holder.running), "leaseUntil": ConsoleRenderer.time(holder.leaseUntil),
             "oldestStart": ConsoleRenderer.time(holder.oldestStart), "leaseClass": holder.leaseExpired ? "lease-late" : ""]
        }
        return [
            "now": ConsoleRenderer.time(now.now),
            "refreshSeconds": Self.consoleRefreshMs / 1000,
            "capped": capped, "cap": QueueInspector.countCap,
            "queues": queueContexts, "hasQueues": !queueContexts.isEmpty,
            "chart": ConsoleChart(minutes: minutes).render(),
            "completedTotal": minutes.reduce(0) { $0 + $1.completed }, "failedTotal": minutes.reduce(0) { $0 + $1.failed },
            "failing": failing, "hasFailing": !failing.isEmpty,
            "leader": leaderContext,
            "listeners": listenerContexts, "hasListeners": !listenerContexts.isEmpty,
            "holders": holderContexts, "hasHolders": !holderContexts.isEmpty,
        ]
    }
}
