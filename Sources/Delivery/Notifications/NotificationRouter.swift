import Foundation
public import Logging
public import Queue

/// Handles `notification.route`: reads the notification and its user's preferences, applies
/// ``RoutingPolicy``, records `routed_at`, `route` and `skip_reason`, and enqueues the follow-up
/// jobs in the same statement.
///
/// | decision | `route` | jobs |
/// |---|---|---|
/// | urgent/high | `email`, `email+sms`, or `sms` (no address) / `none` | `email.send` (unique per notification), `sms.send` when SMS applies |
/// | normal/low, daily/weekly/monthly | `digest:<frequency>` | none now: the digest scheduler picks it up |
/// | normal/low, never | `none`, skip `digest_never` | none |
///
/// Missing data is recorded, never a crash: no preferences row → `no_preferences`; no address →
/// `no_email`; SMS on without a usable phone → `no_phone` / `invalid_phone`; Twilio not configured →
/// `sms_not_configured`. A notification routed before (a retried or duplicated job) is left alone;
/// a deleted one cancels the job.
public struct NotificationRouter: JobHandler {
    public let kind = NotificationJobKind.route
    let store: NotificationStore
    let configuration: NotificationDeliveryConfiguration
    let logger: Logger
    private let policy = RoutingPolicy()

    public init(store: NotificationStore, configuration: NotificationDeliveryConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobResult {
        let args = try NotificationJobs.notificationArgs(job)
        guard let input = try await store.routingInput(id: args) else {
            return .cancel(reason: "notification \(args.uuidString.lowercased()) no longer exists")
        }
        if input.routedAt != nil { return .completed }
        let plan = Self.plan(input, policy: policy, configuration: configuration)
        try await store.recordRoute(id: input.id, route: plan.route, skipReason: plan.skipReasons.isEmpty ? nil : plan.skipReasons.joined(separator: ","),
                                    jobs: plan.jobs)
        logger.debug("notification routed", metadata: [
            "notification.id": "\(input.id)", "route": "\(plan.route)", "jobs": "\(plan.jobs.count)",
        ])
        return .completed
    }

    /// What routing does for `input` (pure; exposed for tests).
    public struct Plan: Sendable {
        public var route: String
        public var skipReasons: [String]
        public var jobs: [JobRequest]
    }

    /// The routing plan: the route label, the skip reasons and the jobs to enqueue.
    public static func plan(_ input: NotificationRoutingInput, policy: RoutingPolicy = RoutingPolicy(),
                            configuration: NotificationDeliveryConfiguration) -> Plan {
        let decision = policy.route(
            priority: input.priority, digestFrequency: input.digestFrequency, smsEnabled: input.smsEnabled, phone: input.phone)
        var reasons: [String] = []
        if !input.hasPreferences { reasons.append("no_preferences") }
        let id = input.id.uuidString.lowercased()
        let args = PostgresJSONArgs.notification(id)
        var channels: [String] = []
        var jobs: [JobRequest] = []
        switch decision.email {
        case .immediate:
            if let email = input.email, !email.isEmpty {
                channels.append("email")
                jobs.append(JobRequest(kind: NotificationJobKind.emailSend, args: args, queue: configuration.queue,
                                       priority: input.priority.queuePriority, uniqueKey: "email.send:\(id)"))
            } else {
                reasons.append("no_email")
            }
        case .digest(let frequency):
            if let email = input.email, !email.isEmpty {
                channels.append("digest:\(frequency.rawValue)")
            } else {
                reasons.append("no_email")
            }
        case .none:
            reasons.append("digest_never")
        }
        if decision.sms, let number = decision.smsNumber {
            if configuration.smsEnabled {
                channels.append("sms")
                jobs.append(JobRequest(kind: NotificationJobKind.smsSend, args: PostgresJSONArgs.sms(id, to: number.e164),
                                       queue: configuration.queue, priority: input.priority.queuePriority, uniqueKey: "sms.send:\(id)"))
            } else {
                reasons.append("sms_not_configured")
            }
        } else if input.priority.isImmediate, input.smsEnabled {
            reasons.append(input.phone == nil ? "no_phone" : "invalid_phone")
        }
        return Plan(route: channels.isEmpty ? "none" : channels.joined(separator: "+"), skipReasons: reasons, jobs: jobs)
    }
}
