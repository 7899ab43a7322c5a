public import Discussions
import Foundation
import Hummingbird
import Listening
public import Logging
import Metrics
import NIOCore
import Notifications
public import Postgres
public import Prometheus
import Queue
public import ServiceLifecycle
import Synchronization

/// `herald serve`: the HTTP side of Herald (open pixel, click redirect, Postmark and Twilio
/// webhooks, inbound replies, health, metrics, admin page), as a `Service`.
///
/// Endpoints:
/// - `GET /t/<pixel>.gif` — always the 1x1 GIF with no-cache headers (also for unknown ids: no
///   oracle). Known pixels are counted through ``TrackingEventRecorder`` (group commit); the GIF is
///   sent only after the batch holding the open has committed, so an answered hit is durable
///   (a crash loses only hits not yet answered; the client's retry or next load counts them).
/// - `GET /c/<token>` — verifies the signed ``ClickToken``, counts the click (committed before the
///   answer), and answers 302 to the URL inside the token, i.e. only to a URL Herald signed. A
///   forged or altered token gets 400 and no `Location`.
/// - `POST /webhooks/postmark` — Delivery, Bounce, SpamComplaint, SubscriptionChange, Open, Click,
///   recorded by ``EmailEventService`` (basic auth, constant-time compare: 401 otherwise;
///   malformed JSON: 400; unknown message: 200 + log line).
/// - `POST /webhooks/postmark/inbound` — reply threading (same auth), see ``InboundReplyService``.
/// - `POST /webhooks/twilio/status` — `X-Twilio-Signature` over `HERALD_PUBLIC_URL` + path and
///   the sorted parameters (403 otherwise); ``SMSStatusService`` updates `notifications.sms_status` / `sms_error`.
/// - `GET /healthz` — 200 when the database answers, else 503.
/// - `GET /metrics` — Prometheus text format of the registry given (queue metrics included when
///   the process bootstrapped swift-metrics with it).
/// - `/admin/…` — the operator console (docs/console.md): queue overview, jobs and their actions,
///   people and notifications, discussions and held replies; login, CSRF tokens, strict CSP.
///
/// Routes sit in route groups whose middleware authenticates the caller and bounds the request
/// (``addRoutes(to:)``); handlers parse, call a service of the module that owns the data, and answer.
/// The HTTP side runs no SQL of its own.
///
/// Limits: bodies above ``ServerConfiguration/maximumBodySize`` get 413; a request running longer
/// than ``ServerConfiguration/requestTimeout`` gets 503 (idle connections are closed after it too).
/// Error answers carry a short reason, never an internal error's text, a stack trace or a secret.
public final class HeraldServer: Service, Sendable {
    public let configuration: ServerConfiguration
    let pool: PostgresPool
    /// Independent group-commit writers, each owning the pixels whose id hashes to it, so one batch
    /// commits while the next fills (no two writers ever touch the same row: no lock waits).
    let recorders: [TrackingEventRecorder]
    let registry: PrometheusCollectorRegistry?
    let logger: Logger
    let resolver: ClientAddressResolver
    let inbound: InboundReplyService
    /// Records Postmark's Delivery, Bounce, SpamComplaint, SubscriptionChange, Open and Click events.
    let emailEvents: EmailEventService
    /// Records Twilio's status callbacks.
    let smsStatuses: SMSStatusService
    /// What the console reads and does (docs/console.md): the queue, people, discussions.
    let queueInspector: QueueInspector
    let jobAdmin: JobAdmin
    let recipients: RecipientHistory
    let discussions: DiscussionHistory
    let suppressions: SuppressionList
    let actionLog: OperatorActionLog
    let pixelHits = Counter(label: "herald_tracking_pixel_hits_total")
    /// Who may use the operator console (logins, session cookies, CSRF tokens), and its templates.
    let consoleGate: ConsoleGate
    let consoleRenderer = ConsoleRenderer()
    let consoleChartCache = ConsoleChartCache()
    private let listening = ListeningPort()

    /// A server over `pool`. `registry` is what `/metrics` shows (nil: 404). `trackingWriters`
    /// group-commit writers record opens and clicks (each uses one pool connection while writing).
    public init(
        configuration: ServerConfiguration, pool: PostgresPool, registry: PrometheusCollectorRegistry? = nil,
        recorderConfiguration: TrackingEventRecorder.Configuration = .init(), trackingWriters: Int = 2, logger: Logger
    ) {
        self.configuration = configuration
        self.pool = pool
        self.registry = registry
        self.logger = logger
        self.recorders = (0..<max(1, trackingWriters)).map { _ in
            TrackingEventRecorder(pool: pool, configuration: recorderConfiguration, logger: logger)
        }
        self.resolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        self.inbound = InboundReplyService(pool: pool, key: configuration.signingKey, logger: logger)
        self.emailEvents = EmailEventService(pool: pool)
        self.smsStatuses = SMSStatusService(pool: pool)
        self.queueInspector = QueueInspector(pool: pool)
        self.jobAdmin = JobAdmin(pool: pool)
        self.recipients = RecipientHistory(pool: pool)
        self.discussions = DiscussionHistory(pool: pool)
        self.suppressions = SuppressionList(pool: pool)
        self.actionLog = OperatorActionLog(pool: pool)
        self.consoleGate = ConsoleGate(configuration: configuration)
    }

    /// Serves until a graceful shutdown (or cancellation); then finishes the requests in flight and
    /// writes the tracking events they recorded before returning.
    public func run() async throws {
        defer { listening.markStopped() }
        let router = Router(context: HeraldRequestContext.self)
        addRoutes(to: router)
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(max(1, configuration.requestTimeout.components.seconds))))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil, backlog: 1024),
            onServerRunning: { [listening] channel in listening.markRunning(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for recorder in recorders {
                group.addTask { try await recorder.run() }
            }
            do {
                try await app.run()
            } catch {
                group.cancelAll()
                throw error
            }
            // The server has answered everything; let the recorder write what is left and stop.
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// The writer of the pixel `id` (a stable hash of its characters).
    func recorder(for id: String) -> TrackingEventRecorder {
        var hash: UInt32 = 2_166_136_261
        for byte in id.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return recorders[Int(hash % UInt32(recorders.count))]
    }

    /// Waits until the server listens and returns the bound port (0 once it stopped without listening).
    public func waitUntilRunning() async -> Int {
        await listening.waitUntilRunning()
    }

    /// `http://HOST:PORT` of the listening server (loopback when bound to all addresses).
    public var localURL: String {
        get async {
            ListeningPort.url(host: configuration.host, port: await waitUntilRunning())
        }
    }

    /// Runs the server in a child task until `body` returns, then shuts it down gracefully.
    public static func withRunning<T: Sendable>(
        _ server: HeraldServer, _ body: (HeraldServer) async throws -> T
    ) async throws -> T {
        try await server.listening.withRunning(
            server, logger: server.logger,
            notRunning: { ServerError(code: .invalidConfiguration, message: "herald serve stopped before it could listen") }
        ) {
            try await body(server)
        }
    }
}
