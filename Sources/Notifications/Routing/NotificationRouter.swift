import Foundation
public import Logging
import Postgres
import Providers
public import Queue

/// Handles `notification.route`: reads the notification and its user's preferences, asks each
/// ``NotificationChannel`` in turn (email, then SMS) what it does with it, records `routed_at`,
/// `route` and `skip_reason`, and enqueues the channels' jobs in the same transaction.
///
/// | channels' answers | `route` | jobs |
/// |---|---|---|
/// | urgent/high | `email`, `email+sms`, or `sms` (no address) / `none` | `email.send` (unique per notification), `sms.send` when SMS applies |
/// | normal/low, daily/weekly/monthly | `digest:<frequency>` | none now: the digest scheduler picks it up |
/// | normal/low, never | `none`, skip `digest_never` | none |
///
/// `route` joins the parts of the channels that route the notification with `+` (`none` when none
/// does); `skip_reason` joins `no_preferences` (no preferences row: the table's defaults apply)
/// and the channels' reasons with `,`: `no_email`, `no_phone` / `invalid_phone`,
/// `sms_not_configured`. A notification routed before (a retried or duplicated job) is left alone;
/// a deleted one cancels the job.
///
/// **The first email attempt inline.** When email is the only immediate channel (no SMS) and
/// ``NotificationDeliveryConfiguration/inlineFirstEmailAttempt`` is on (the default), the router
/// sends the email itself through ``EmailNotificationService`` and then writes the route, the
/// sent mark and, if the attempt did not complete, the `email.send` job carrying that attempt's
/// outcome (`retryable` with its backoff, `failed` or `cancelled`, with the error in its history,
/// as ``JobQueue/enqueueAttempted(_:attemptedBy:on:)`` records it by the worker's rules), all in
/// one transaction. Nothing is written before the attempt, so a worker that dies during it
/// leaves the notification unrouted and the rescued `notification.route` job starts over: the
/// duplicate bound is the one of ``EmailNotificationService`` (one extra email per interruption
/// after acceptance, same Message-ID). With SMS, both channels get their own jobs at once, so a
/// slow Postmark never delays the SMS.
public struct NotificationRouter: JobHandler {
    public let kind = NotificationJobKind.route
    let store: NotificationStore
    let channels: [any NotificationChannel]
    let configuration: NotificationDeliveryConfiguration
    let logger: Logger
    /// Makes the inline first attempt; nil routes every email through an `email.send` job.
    let email: EmailNotificationService?

    /// A router over `channels` (default: the built-in channels as `configuration` routes them).
    public init(store: NotificationStore, configuration: NotificationDeliveryConfiguration, logger: Logger,
                channels: [any NotificationChannel]? = nil, email: EmailNotificationService? = nil) {
        self.store = store
        self.channels = channels ?? BuiltInChannels.routing(configuration: configuration)
        self.configuration = configuration
        self.logger = logger
        self.email = email
    }

    public func handle(_ job: Job, args: NotificationJobKind.NotificationArgs) async throws -> JobResult {
        // One query also brings what an immediate email needs, for the inline attempt.
        guard let inputs = try await store.routeInputs(id: args.notificationID) else {
            return .cancel(reason: "notification \(args.notificationID.lowercasedString) no longer exists")
        }
        let input = inputs.routing
        if input.routedAt != nil { return .completed }
        let plan = Self.plan(input, channels: channels)
        if configuration.inlineFirstEmailAttempt, let email, let delivery = inputs.delivery, plan.jobs.count == 1, plan.jobs[0].kind == NotificationJobKind.emailSend {
            return try await routeSendingEmail(input, delivery: delivery, plan: plan, email: email)
        }
        try await store.recordRoute(id: input.id, route: plan.route, skipReason: plan.skipReasons.isEmpty ? nil : plan.skipReasons.joined(separator: ","),
                                    jobs: plan.jobs)
        logger.debug("notification routed", metadata: [
            "notification.id": "\(input.id)", "route": "\(plan.route)", "jobs": "\(plan.jobs.count)",
        ])
        return .completed
    }

    /// Sends the email of a plan whose only job is `email.send`, then records the route with the
    /// attempt's outcome (see the type's documentation).
    private func routeSendingEmail(_ input: NotificationRoutingInput, delivery: NotificationDeliveryInput, plan: Plan,
                                   email: EmailNotificationService) async throws -> JobResult {
        let attempt = try await email.attempt(delivery)
        if attempt.accepted { try await email.afterAcceptance?(input.id) }
        var reasons = plan.skipReasons
        if let reason = attempt.skipReason, !reasons.contains(reason) { reasons.append(reason) }
        // An email accepted leaves nothing to do; otherwise the queue records the email.send job
        // as a worker would have left it after this attempt.
        let jobs: [NotificationStore.RouteJob] = attempt.result == .completed
            ? [] : [.attempted(AttemptedJob(plan.jobs[0], result: attempt.result, backoff: configuration.inlineRetryBackoff))]
        try await store.recordRoute(NotificationStore.RouteRecord(
            id: input.id, route: plan.route, skipReason: reasons.isEmpty ? nil : reasons.joined(separator: ","), jobs: jobs,
            emailAccepted: attempt.accepted, providerMessageID: attempt.providerMessageID))
        logger.debug("notification routed; first email attempt made", metadata: [
            "notification.id": "\(input.id)", "route": "\(plan.route)", "accepted": "\(attempt.accepted)",
        ])
        return .completed
    }

    /// What routing does for `input` (pure; exposed for tests).
    public struct Plan: Sendable {
        /// `notifications.route`.
        public var route: String
        /// The `skip_reason` codes, in order.
        public var skipReasons: [String]
        /// The jobs to enqueue with the route.
        public var jobs: [JobRequest]
        /// What was routed, and through which channels.
        let input: NotificationRoutingInput
        let routedChannels: [any NotificationChannel]

        /// Each channel's answer, by channel name, for logs and tests: asked again on each read
        /// (the channels' routing is pure), so routing itself never builds it.
        public var channels: [String: ChannelRoute] {
            var answers: [String: ChannelRoute] = [:]
            for channel in routedChannels { answers[channel.name] = channel.route(input) }
            return answers
        }
    }

    /// The routing plan: each channel's answer, joined into the route label, the skip reasons and
    /// the jobs to enqueue.
    public static func plan(_ input: NotificationRoutingInput, channels: [any NotificationChannel]) -> Plan {
        var routes: [String] = []
        var reasons: [String] = input.hasPreferences ? [] : ["no_preferences"]
        var jobs: [JobRequest] = []
        for channel in channels {
            let answer = channel.route(input)
            if let route = answer.route { routes.append(route) }
            if let job = answer.job { jobs.append(job) }
            reasons.append(contentsOf: answer.skipReasons)
        }
        return Plan(route: routes.isEmpty ? "none" : routes.joined(separator: "+"), skipReasons: reasons, jobs: jobs,
                    input: input, routedChannels: channels)
    }
}
