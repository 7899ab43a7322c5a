/// Settings of a `JobWorker`. Every value has a default suitable for production.
public struct WorkerConfiguration: Sendable {
    /// Queues to work and the number of jobs run at once on each. Default `["default": 100]`.
    public var queues: [String: Int]
    /// Most jobs claimed in one statement. Default 500.
    public var claimBatchSize: Int
    /// Poll interval when no NOTIFY arrives (scheduled jobs, lost notifications). Default 1 s.
    public var pollInterval: Duration
    /// How long a claimed job is leased; a heartbeat extends it every `lease / 3`. Default 30 s.
    public var lease: Duration
    /// Longest one attempt may run unless the handler says otherwise. Default 5 minutes.
    public var jobTimeout: Duration
    /// How long graceful shutdown waits for in-flight jobs before releasing them. Default 25 s.
    public var shutdownGracePeriod: Duration
    /// Retry delays for failed attempts.
    public var backoff: Backoff
    /// Completions are written together at most this often. Default 2 ms.
    public var completionFlushInterval: Duration
    /// Take part in leader election (rescuer, stager, pruner, periodic tasks). Default true.
    public var runsMaintenance: Bool
    /// How often the leader rescues expired leases, stages due jobs, and prunes. Default 1 s.
    public var maintenanceInterval: Duration
    /// How long the leader's lease row (`herald_leader`) holds without renewal; it is renewed every
    /// third of it. A leader that dies or whose network goes silent is replaced within this plus
    /// a third of it. Default 5 s.
    public var leaderLease: Duration
    /// A process that takes the lead (at start, after a failover, or after a database outage, which
    /// costs the leader its connection too) waits this long before it takes back expired leases,
    /// so live workers reconnect and renew them, or write their outcomes, first. Default 5 s.
    public var rescueGraceAfterLeading: Duration
    /// Completed and cancelled jobs older than this are deleted. Default 7 days; nil keeps them.
    public var retention: Duration?
    /// Failed jobs older than this are deleted. Default nil (kept until an admin acts).
    public var failedRetention: Duration?
    /// Identifies this worker in `locked_by` and error records. Default host:pid:random.
    public var workerID: String

    public init(
        queues: [String: Int] = ["default": 100],
        claimBatchSize: Int = 500,
        pollInterval: Duration = .seconds(1),
        lease: Duration = .seconds(30),
        jobTimeout: Duration = .seconds(300),
        shutdownGracePeriod: Duration = .seconds(25),
        backoff: Backoff = Backoff(),
        completionFlushInterval: Duration = .milliseconds(2),
        runsMaintenance: Bool = true,
        maintenanceInterval: Duration = .seconds(1),
        leaderLease: Duration = .seconds(5),
        rescueGraceAfterLeading: Duration = .seconds(5),
        retention: Duration? = .seconds(7 * 24 * 3600),
        failedRetention: Duration? = nil,
        workerID: String = WorkerConfiguration.defaultWorkerID()
    ) {
        self.queues = queues
        self.claimBatchSize = max(1, claimBatchSize)
        self.pollInterval = pollInterval
        self.lease = lease
        self.jobTimeout = jobTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.backoff = backoff
        self.completionFlushInterval = completionFlushInterval
        self.runsMaintenance = runsMaintenance
        self.maintenanceInterval = maintenanceInterval
        self.leaderLease = max(leaderLease, .milliseconds(300))
        self.rescueGraceAfterLeading = rescueGraceAfterLeading
        self.retention = retention
        self.failedRetention = failedRetention
        self.workerID = workerID
    }

    /// `hostname:pid:xxxx`.
    public static func defaultWorkerID() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(getpid()):\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }
}

#if canImport(Glibc)
import Glibc
#endif
