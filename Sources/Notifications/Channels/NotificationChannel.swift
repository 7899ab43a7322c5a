public import Logging
public import Postgres
public import Queue

/// One way a notification reaches a person: email and SMS today (`Channels/Email`, `Channels/SMS`),
/// Slack or web push tomorrow. Everything that differs between channels goes through this seam:
///
/// - **preferences**: the channel's own `notification_preferences` columns, which routing hands it
///   in ``NotificationRoutingInput/preferences`` (every column of the row: a column a migration
///   adds needs no change to the store);
/// - **routing**: ``route(_:)`` decides, purely, what the channel does with one notification (send
///   now with a job, a later route such as a digest, or a skip reason); `notification.route`
///   joins the channels' answers into `notifications.route` (`email+sms`, `digest:daily`, `none`)
///   and `skip_reason`, and enqueues their jobs in one transaction;
/// - **templates**: the `notification_templates` columns the channel renders (``templateFields``);
/// - **sending**: the job handlers that deliver (``handlers(_:)``), e.g. `email.send`.
///
/// Adding a channel is a folder beside `Email` and `SMS` plus a migration for its columns; see
/// docs/architecture.md, "Adding a channel".
public protocol NotificationChannel: Sendable {
    /// The channel's name in `notifications.route` when it sends now (`email`, `sms`).
    var name: String { get }
    /// The `notification_templates` columns the channel renders.
    var templateFields: [TemplateField] { get }
    /// What this channel does with one notification (pure: no I/O).
    func route(_ input: NotificationRoutingInput) -> ChannelRoute
    /// The handlers of the channel's jobs; none when the channel cannot send (not configured).
    func handlers(_ context: ChannelContext) -> [any JobHandler]
}

extension NotificationChannel {
    /// A job of this channel for `input`'s notification, unique per notification and kind, at the
    /// notification's priority, on the delivery queue.
    public func job(_ kind: String, args: PostgresJSON, for input: NotificationRoutingInput, queue: String) -> JobRequest {
        JobRequest(kind: kind, args: args, queue: queue, priority: input.priority.queuePriority,
                   uniqueKey: "\(kind):\(input.id.lowercasedString)")
    }
}

/// What channels share to build their handlers: one store, one outcome policy, one template
/// cache. ``NotificationDelivery/context(configuration:)`` makes it.
public struct ChannelContext: Sendable {
    public var store: NotificationStore
    public var resolver: ProviderOutcomeResolver
    public var templates: TemplateCache
    public var configuration: NotificationDeliveryConfiguration
    public var logger: Logger
}

/// A channel's job handler: it reaches the shared parts through its ``ChannelContext``.
public protocol ChannelHandler: JobHandler {
    var context: ChannelContext { get }
}

extension ChannelHandler {
    var store: NotificationStore { context.store }
    var resolver: ProviderOutcomeResolver { context.resolver }
    var templates: TemplateCache { context.templates }
    var configuration: NotificationDeliveryConfiguration { context.configuration }
    var logger: Logger { context.logger }
}
