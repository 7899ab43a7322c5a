public import Foundation
public import Logging
import Mail
import Notifications
public import Postgres
import Synchronization

/// Records opens and clicks with group commit: many callers, few statements.
///
/// The open pixel is hit thousands of times a second; one UPDATE per hit would spend the
/// database on round trips and row-lock queues. Here every caller of `recordOpen` /
/// `recordClick` waits until its event is committed, but the events that arrive together are
/// written by ONE statement: they are aggregated per pixel id (`open_count + n`, the earliest time
/// as first open/click, the latest user agent and IP), and rows are locked in pixel-id order, so
/// concurrent batches from several processes cannot deadlock each other.
///
/// Batching: the flusher wakes on the first pending event, waits up to
/// `Configuration.maximumDelay` for company (not when a full batch is already waiting), then
/// writes up to `maximumBatchSize` events; while it writes, the next batch gathers. The queue is
/// bounded (`queueCapacity`): beyond it a call fails at once with `.recorderOverloaded` instead
/// of letting memory grow. If a batch statement fails on a data error, its events are written one
/// by one, so one bad event fails alone; a deadlock or serialization failure is retried.
///
/// Lifecycle (as a ServiceLifecycle service would have it): `run()` does all the writing and
/// returns once its task is cancelled and every accepted event is written. Events recorded
/// before `run()` starts wait for it; events recorded after cancellation are refused with
/// `.recorderShutDown`. Wrap `run()` in a `Service` with `cancelWhenGracefulShutdown`.
public final class TrackingEventRecorder: Sendable {
    /// Recorder settings.
    public struct Configuration: Sendable {
        /// Most events written by one statement. Default 1,000.
        public var maximumBatchSize: Int
        /// Longest time the first event of a batch waits for others before the batch is written.
        /// Default 2 ms. Zero writes as soon as the flusher is free.
        public var maximumDelay: Duration
        /// Most events accepted and not yet written; further calls fail with
        /// `.recorderOverloaded`. Default 100,000.
        public var queueCapacity: Int
        /// Attempts of a batch that hit a deadlock or serialization failure. Default 3.
        public var maximumAttempts: Int

        /// Settings; every argument has the documented default, and out-of-range values are clamped.
        public init(
            maximumBatchSize: Int = 1000, maximumDelay: Duration = .milliseconds(2), queueCapacity: Int = 100_000,
            maximumAttempts: Int = 3
        ) {
            self.maximumBatchSize = max(1, maximumBatchSize)
            self.maximumDelay = max(.zero, maximumDelay)
            self.queueCapacity = max(1, queueCapacity)
            self.maximumAttempts = max(1, maximumAttempts)
        }
    }

    private enum Kind: String {
        case open, click
    }

    private struct Event: Sendable {
        var kind: String
        var pixelId: String
        /// Cleaned; "" for none (the arrays bound to the batch statement cannot hold NULL).
        var userAgent: String
        /// Validated; "" for none or invalid.
        var ip: String
        var at: Date
        var continuation: CheckedContinuation<Bool, any Error>
    }

    private enum Phase {
        case notStarted, running, stopping, stopped
    }

    private struct State {
        var pending: [Event] = []
        var phase: Phase = .notStarted
        var wakeup: CheckedContinuation<Void, Never>?
    }

    /// The settings in force.
    public let configuration: Configuration
    private let store: DiscussionEmailTrackingStore
    private let logger: Logger
    private let state = Mutex(State())
    private let batches = Atomic<Int>(0)
    private let events = Atomic<Int>(0)

    /// A recorder writing through `pool`. Nothing runs until `run()` is called.
    public init(
        pool: PostgresPool, configuration: Configuration = .init(),
        logger: Logger = Logger(label: "herald.tracking.recorder")
    ) {
        self.store = DiscussionEmailTrackingStore(pool: pool)
        self.configuration = configuration
        self.logger = logger
    }

    /// Number of events accepted and not yet written.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Batch statements committed so far (for metrics: events ÷ batches is the batching factor).
    public var committedBatches: Int { batches.load(ordering: .relaxed) }

    /// Events committed by batch statements so far.
    public var committedEvents: Int { events.load(ordering: .relaxed) }

    /// Counts one open (see `DiscussionEmailTrackingStore.recordOpen`) and returns once it is
    /// committed: true when a tracked email has this pixel id, false when none has.
    /// Throws `.recorderOverloaded` or `.recorderShutDown` when the event was not taken, or the
    /// database error that kept its batch from committing.
    @discardableResult
    public func recordOpen(trackingPixelId: String, userAgent: String?, ip: String?, at date: Date = Date()) async throws -> Bool {
        try await record(.open, trackingPixelId: trackingPixelId, userAgent: userAgent, ip: ip, at: date)
    }

    /// Counts one click, like `recordOpen`.
    @discardableResult
    public func recordClick(trackingPixelId: String, userAgent: String?, ip: String?, at date: Date = Date()) async throws -> Bool {
        try await record(.click, trackingPixelId: trackingPixelId, userAgent: userAgent, ip: ip, at: date)
    }

    private func record(_ kind: Kind, trackingPixelId: String, userAgent: String?, ip: String?, at date: Date) async throws -> Bool {
        // A malformed id cannot match a row; answering here keeps garbage out of the queue.
        guard TrackingEventInput.isWellFormedPixelId(trackingPixelId) else { return false }
        let userAgent = TrackingEventInput.userAgent(userAgent) ?? ""
        let ip = TrackingEventInput.ipAddress(ip) ?? ""
        let capacity = configuration.queueCapacity
        return try await withCheckedThrowingContinuation { continuation in
            let event = Event(kind: kind.rawValue, pixelId: trackingPixelId, userAgent: userAgent, ip: ip, at: date, continuation: continuation)
            let (refusal, wakeup) = state.withLock { state -> (DeliveryError?, CheckedContinuation<Void, Never>?) in
                switch state.phase {
                case .stopping, .stopped:
                    return (DeliveryError(code: .recorderShutDown, message: "the tracking event recorder is shutting down"), nil)
                case .notStarted, .running:
                    break
                }
                guard state.pending.count < capacity else {
                    return (DeliveryError(code: .recorderOverloaded, message: "the tracking event recorder has \(capacity) events waiting"), nil)
                }
                state.pending.append(event)
                defer { state.wakeup = nil }
                return (nil, state.wakeup)
            }
            if let refusal { continuation.resume(throwing: refusal) }
            wakeup?.resume()
        }
    }

    /// Writes batches until the calling task is cancelled, then writes what was accepted and
    /// returns. Call it once; a second call throws `.recorderAlreadyRunning`.
    public func run() async throws {
        try state.withLock { state in
            guard state.phase == .notStarted else {
                throw DeliveryError(code: .recorderAlreadyRunning, message: "TrackingEventRecorder.run() was already called")
            }
            state.phase = .running
        }
        await withTaskCancellationHandler {
            await flushLoop()
        } onCancel: {
            beginStopping()
        }
    }

    private func beginStopping() {
        let wakeup = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.phase == .running { state.phase = .stopping }
            defer { state.wakeup = nil }
            return state.wakeup
        }
        wakeup?.resume()
    }

    private func flushLoop() async {
        while await waitForEvents() {
            let (stopping, backlog) = state.withLock { ($0.phase == .stopping, $0.pending.count) }
            let delay = configuration.maximumDelay
            if !stopping, backlog < configuration.maximumBatchSize, delay != .zero {
                try? await Task.sleep(for: delay)
            }
            let batch = takeBatch()
            guard !batch.isEmpty else { continue }
            if Task.isCancelled {
                // The draining writes must not inherit the cancellation (a pool checkout would
                // give up at once); this task is awaited right here.
                await Task { await self.write(batch) }.value
            } else {
                await write(batch)
            }
        }
        state.withLock { $0.phase = .stopped }
    }

    /// Suspends until an event is pending (true) or the recorder is stopping with nothing left (false).
    private func waitForEvents() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if !state.pending.isEmpty || state.phase == .stopping { return true }
                state.wakeup = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        return state.withLock { !$0.pending.isEmpty }
    }

    private func takeBatch() -> [Event] {
        let limit = configuration.maximumBatchSize
        return state.withLock { state in
            if state.pending.count <= limit {
                defer { state.pending = [] }
                return state.pending
            }
            let batch = Array(state.pending.prefix(limit))
            state.pending.removeFirst(limit)
            return batch
        }
    }

    private func write(_ batch: [Event]) async {
        var attempt = 1
        while true {
            do {
                let matched = try await writeBatch(batch)
                batches.add(1, ordering: .relaxed)
                events.add(batch.count, ordering: .relaxed)
                for event in batch { event.continuation.resume(returning: matched.contains(event.pixelId)) }
                return
            } catch let error as PostgresError where error.sqlState == "40P01" || error.sqlState == "40001" {
                guard attempt < configuration.maximumAttempts else {
                    logger.warning("tracking batch failed after retries", metadata: ["error": "\(error)", "batch.size": "\(batch.count)"])
                    for event in batch { event.continuation.resume(throwing: error) }
                    return
                }
                attempt += 1
            } catch let error as PostgresError where error.code == .server && !error.isConnectionError {
                logger.warning("tracking batch refused; writing its events one by one", metadata: ["error": "\(error)", "batch.size": "\(batch.count)"])
                await writeOneByOne(batch)
                return
            } catch {
                logger.warning("tracking batch failed", metadata: ["error": "\(error)", "batch.size": "\(batch.count)"])
                for event in batch { event.continuation.resume(throwing: error) }
                return
            }
        }
    }

    private func writeOneByOne(_ batch: [Event]) async {
        for event in batch {
            do {
                let row: DiscussionEmailTracking?
                let userAgent = event.userAgent.isEmpty ? nil : event.userAgent
                let ip = event.ip.isEmpty ? nil : event.ip
                if event.kind == Kind.click.rawValue {
                    row = try await store.recordClick(trackingPixelId: event.pixelId, userAgent: userAgent, ip: ip, at: event.at)
                } else {
                    row = try await store.recordOpen(trackingPixelId: event.pixelId, userAgent: userAgent, ip: ip, at: event.at)
                }
                event.continuation.resume(returning: row != nil)
            } catch {
                event.continuation.resume(throwing: error)
            }
        }
    }

    /// One statement for the whole batch; returns the pixel ids that matched a row.
    private func writeBatch(_ batch: [Event]) async throws -> Set<String> {
        let rows = try await store.pool.query(
            """
            WITH events AS (
                SELECT e.kind, e.pixel, nullif(e.user_agent, '') AS user_agent, nullif(e.ip, '')::inet AS ip, e.at
                  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS e(kind, pixel, user_agent, ip, at)
            ), per_pixel AS (
                SELECT pixel,
                       count(*) FILTER (WHERE kind = 'open') AS opens,
                       min(at) FILTER (WHERE kind = 'open') AS first_open,
                       count(*) FILTER (WHERE kind = 'click') AS clicks,
                       min(at) FILTER (WHERE kind = 'click') AS first_click,
                       (array_agg(user_agent ORDER BY at DESC))[1] AS user_agent,
                       (array_agg(ip ORDER BY at DESC))[1] AS ip
                  FROM events
                 GROUP BY pixel
            ), locked AS (
                SELECT t.id, p.opens, p.first_open, p.clicks, p.first_click, p.user_agent, p.ip
                  FROM discussion_email_tracking t
                  JOIN per_pixel p ON p.pixel = t.tracking_pixel_id
                 ORDER BY t.tracking_pixel_id
                   FOR UPDATE OF t
            )
            UPDATE discussion_email_tracking t
               SET open_count = t.open_count + l.opens,
                   opened_at = least(t.opened_at, l.first_open),
                   click_count = t.click_count + l.clicks,
                   clicked_at = least(t.clicked_at, l.first_click),
                   user_agent = l.user_agent,
                   ip_address = l.ip
              FROM locked l
             WHERE t.id = l.id
            RETURNING t.tracking_pixel_id
            """,
            [batch.map(\.kind), batch.map(\.pixelId), batch.map(\.userAgent), batch.map(\.ip), batch.map(\.at)])
        return Set(try rows.map { try $0.decode(String.self, column: "tracking_pixel_id") })
    }
}
