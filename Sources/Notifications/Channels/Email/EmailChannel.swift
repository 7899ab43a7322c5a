import Postgres
public import Providers
public import Queue

/// Email: urgent and high notifications are emailed at once (`email.send`); normal and low ones
/// go into the user's daily, weekly or monthly digest (`digest.build`, scheduled by
/// ``DigestScheduler``), or nowhere under `never`. MISSION.md "Digest" and "Delivery".
///
/// | priority | `notification_preferences` | route | skip reason |
/// |---|---|---|---|
/// | urgent/high | `email` set | `email`, job `email.send` | — |
/// | normal/low | `email` set, `digest_frequency` daily/weekly/monthly | `digest:<frequency>` | — |
/// | normal/low | `digest_frequency` never | — | `digest_never` |
/// | any but normal/low under never | no `email` | — | `no_email` |
///
/// Templates: `subject` (one header line), `html_body` (HTML-escaped), `text_body`.
public struct EmailChannel: NotificationChannel {
    /// The template columns of an email.
    public static let subject = "subject", htmlBody = "html_body", textBody = "text_body"
    /// How they render: the subject as a header line, the HTML body escaped, the text body as is.
    public static let fields = [TemplateField(subject, .headerLine), TemplateField(htmlBody, .html), TemplateField(textBody, .text)]

    public let name = "email"
    public var templateFields: [TemplateField] { Self.fields }
    let configuration: NotificationDeliveryConfiguration
    /// The clients immediate emails are spread over (the first also sends digests); empty when
    /// this process only routes.
    let postmarks: [PostmarkClient]

    /// Email over `postmark`, spreading immediate emails over `additionalPostmarkClients` too.
    public init(configuration: NotificationDeliveryConfiguration, postmark: PostmarkClient?, additionalPostmarkClients: [PostmarkClient] = []) {
        self.configuration = configuration
        self.postmarks = postmark.map { [$0] + additionalPostmarkClients } ?? []
    }

    public func route(_ input: NotificationRoutingInput) -> ChannelRoute {
        let frequency = input.preferences.digestFrequency
        guard input.priority.isImmediate else {
            guard frequency != .never else {
                return .skipped("digest_never", "\(input.priority.rawValue) priority; digest frequency is never, so no email")
            }
            guard input.preferences.email != nil else { return .skipped("no_email", "no email address for the digest") }
            return ChannelRoute(route: "digest:\(frequency.rawValue)",
                                explanation: "\(input.priority.rawValue) priority goes to the \(frequency.rawValue) digest")
        }
        guard input.preferences.email != nil else { return .skipped("no_email", "no email address") }
        return ChannelRoute(
            route: name,
            job: job(NotificationJobKind.emailSend, args: PostgresJSONArgs.notification(input.id.lowercasedString), for: input, queue: configuration.queue),
            explanation: "\(input.priority.rawValue) priority is emailed immediately (digest setting \(frequency.rawValue) does not apply)")
    }

    /// `email.send` and `digest.build`.
    public func handlers(_ context: ChannelContext) -> [any JobHandler] {
        guard let service = service(context), let postmark = postmarks.first else { return [] }
        return [
            service,
            DigestBuilder(context: context, sender: PostmarkSendCoalescer(client: postmark, window: configuration.digestBatchWindow),
                          messageStream: postmark.configuration.messageStream),
        ]
    }

    /// The `email.send` handler, which `notification.route` also uses for its inline first attempt.
    public func service(_ context: ChannelContext) -> EmailNotificationService? {
        guard let postmark = postmarks.first else { return nil }
        return EmailNotificationService(context: context, postmark: postmark, additionalPostmarkClients: Array(postmarks.dropFirst()))
    }
}

extension ChannelPreferences {
    /// `notification_preferences.email`; nil when NULL or empty.
    public var email: String? { self["email"].flatMap { $0.isEmpty ? nil : $0 } }
    /// `notification_preferences.digest_frequency`; `daily` (the column's default) when absent.
    public var digestFrequency: DigestFrequency { self["digest_frequency"].flatMap(DigestFrequency.init(rawValue:)) ?? .daily }
}
