public import Logging
public import Postgres
public import Providers
public import Queue

/// Wires notification delivery together: the router, the channels' handlers and the digest
/// scheduler, sharing one store, template cache and provider clients.
public struct NotificationDelivery: Sendable {
    public let configuration: NotificationDeliveryConfiguration
    public let pool: PostgresPool
    public let postmark: PostmarkClient
    /// Further Postmark clients (each over its own CurlClient) that immediate emails are spread over.
    public let additionalPostmarkClients: [PostmarkClient]
    /// Nil when SMS is off (Twilio not configured); routing then records `sms_not_configured`.
    public let twilio: TwilioClient?
    /// Channels beyond the built-in email and SMS (their parts follow `email+sms` in the route).
    public let additionalChannels: [any NotificationChannel]
    let logger: Logger
    let templates: TemplateCache

    public init(pool: PostgresPool, postmark: PostmarkClient, twilio: TwilioClient?, configuration: NotificationDeliveryConfiguration = .init(),
                logger: Logger = Logger(label: "herald.delivery"), additionalPostmarkClients: [PostmarkClient] = [],
                additionalChannels: [any NotificationChannel] = []) {
        var configuration = configuration
        if twilio == nil { configuration.smsEnabled = false }
        self.configuration = configuration
        self.pool = pool
        self.postmark = postmark
        self.additionalPostmarkClients = additionalPostmarkClients
        self.twilio = twilio
        self.additionalChannels = additionalChannels
        self.logger = logger
        self.templates = TemplateCache(renderer: TemplateRenderer(
            fields: BuiltInChannels.templateFields + additionalChannels.flatMap(\.templateFields)))
    }

    /// The channels, in route order: email, SMS, then the additional ones.
    public var channels: [any NotificationChannel] {
        BuiltInChannels.all(configuration: configuration, postmark: postmark, additionalPostmarkClients: additionalPostmarkClients, twilio: twilio)
            + additionalChannels
    }

    /// `notification.route`, and each channel's handlers: `email.send` and `digest.build`, and
    /// `sms.send` when Twilio is configured.
    public func handlers() -> [any JobHandler] {
        let channels = self.channels
        let context = context()
        let email = channels.lazy.compactMap { $0 as? EmailChannel }.first?.service(context)
        return [NotificationRouter(store: context.store, configuration: configuration, logger: logger, channels: channels, email: email)]
            + channels.flatMap { $0.handlers(context) }
    }

    /// What the channels' handlers share: a store on this pool, the suppression-aware outcome
    /// resolver, this delivery's template cache, and `configuration` (default: this delivery's).
    public func context(configuration: NotificationDeliveryConfiguration? = nil) -> ChannelContext {
        ChannelContext(
            store: NotificationStore(pool: pool), resolver: ProviderOutcomeResolver(suppressions: SuppressionList(pool: pool)),
            templates: templates, configuration: configuration ?? self.configuration, logger: logger)
    }

    /// The leader-only tasks: the ``DigestScheduler``.
    public func periodicTasks() -> [any PeriodicTask] {
        [DigestScheduler(configuration: configuration, logger: logger)]
    }
}
