public import Logging
public import Postgres
public import Providers
public import Queue

/// Wires notification delivery together: the four handlers and the digest scheduler, sharing one
/// store, template cache and provider clients.
public struct NotificationDelivery: Sendable {
    public let configuration: NotificationDeliveryConfiguration
    public let pool: PostgresPool
    public let postmark: PostmarkClient
    /// Further Postmark clients (each over its own CurlClient) that immediate emails are spread over.
    public let additionalPostmarkClients: [PostmarkClient]
    /// Nil when SMS is off (Twilio not configured); routing then records `sms_not_configured`.
    public let twilio: TwilioClient?
    let logger: Logger
    let templates = TemplateCache()

    public init(pool: PostgresPool, postmark: PostmarkClient, twilio: TwilioClient?, configuration: NotificationDeliveryConfiguration = .init(),
                logger: Logger = Logger(label: "herald.delivery"), additionalPostmarkClients: [PostmarkClient] = []) {
        var configuration = configuration
        if twilio == nil { configuration.smsEnabled = false }
        self.configuration = configuration
        self.pool = pool
        self.postmark = postmark
        self.additionalPostmarkClients = additionalPostmarkClients
        self.twilio = twilio
        self.logger = logger
    }

    /// `notification.route`, `email.send`, `digest.build`, and `sms.send` when Twilio is configured.
    public func handlers() -> [any JobHandler] {
        let store = NotificationStore(pool: pool)
        let resolver = ProviderOutcomeResolver(suppressions: SuppressionList(pool: pool))
        let email = EmailNotificationService(
            store: store, postmark: postmark, resolver: resolver, templates: templates, configuration: configuration, logger: logger,
            additionalPostmarkClients: additionalPostmarkClients)
        var handlers: [any JobHandler] = [
            NotificationRouter(store: store, configuration: configuration, logger: logger, email: email),
            email,
            DigestBuilder(
                store: DigestStore(pool: pool), sender: PostmarkSendCoalescer(client: postmark, window: configuration.digestBatchWindow),
                messageStream: postmark.configuration.messageStream, resolver: resolver, templates: templates,
                configuration: configuration, logger: logger),
        ]
        if let twilio {
            handlers.append(SMSNotificationService(store: store, twilio: twilio, resolver: resolver, templates: templates, logger: logger))
        }
        return handlers
    }

    /// The leader-only tasks: the ``DigestScheduler``.
    public func periodicTasks() -> [any PeriodicTask] {
        [DigestScheduler(configuration: configuration, logger: logger)]
    }
}
