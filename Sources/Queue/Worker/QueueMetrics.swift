import Metrics
import Synchronization

/// The queue's swift-metrics instruments, created once per kind and cached: creating a
/// Counter goes through the metrics factory, which is too slow for every job.
final class QueueMetrics: Sendable {
    private struct KindCounters {
        let claimed: Counter
        let completed: Counter
        let failed: Counter
        let retried: Counter
        let duration: Timer
    }
    private let byKind = Mutex<[String: KindCounters]>([:])
    private let claimTimer = Timer(label: "herald_job_claim_duration_seconds", preferredDisplayUnit: .seconds)

    func claimLatency(_ duration: Duration) { claimTimer.recordNanoseconds(Self.nanoseconds(duration)) }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    func claimed(_ kind: String) { counters(kind).claimed.increment() }
    func completed(_ kind: String) { counters(kind).completed.increment() }
    func failed(_ kind: String) { counters(kind).failed.increment() }
    func retried(_ kind: String) { counters(kind).retried.increment() }
    func ran(_ kind: String, for duration: Duration) {
        counters(kind).duration.recordNanoseconds(Self.nanoseconds(duration))
    }

    struct DepthKey: Hashable, Sendable {
        var queue: String
        var state: String
    }
    private let reportedDepths = Mutex<Set<DepthKey>>([])

    /// Records the live-job counts; a queue/state reported before and absent now drops to 0.
    func depths(_ depths: [DepthKey: Int]) {
        let stale = reportedDepths.withLock { reported -> Set<DepthKey> in
            defer { reported.formUnion(depths.keys) }
            return reported.subtracting(depths.keys)
        }
        for key in stale { Self.depthGauge(key).record(0) }
        for (key, jobs) in depths { Self.depthGauge(key).record(jobs) }
    }

    private static func depthGauge(_ key: DepthKey) -> Gauge {
        Gauge(label: "herald_jobs_queue_depth", dimensions: [("queue", key.queue), ("state", key.state)])
    }

    private func counters(_ kind: String) -> KindCounters {
        if let existing = byKind.withLock({ $0[kind] }) { return existing }
        let made = KindCounters(
            claimed: Counter(label: "herald_jobs_claimed_total", dimensions: [("kind", kind)]),
            completed: Counter(label: "herald_jobs_completed_total", dimensions: [("kind", kind)]),
            failed: Counter(label: "herald_jobs_failed_total", dimensions: [("kind", kind)]),
            retried: Counter(label: "herald_jobs_retried_total", dimensions: [("kind", kind)]),
            duration: Timer(label: "herald_job_duration_seconds", dimensions: [("kind", kind)], preferredDisplayUnit: .seconds))
        return byKind.withLock { cache in
            if let existing = cache[kind] { return existing }
            cache[kind] = made
            return made
        }
    }
}
