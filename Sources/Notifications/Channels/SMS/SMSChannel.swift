import Foundation
import Postgres
public import Providers
public import Queue

/// SMS: urgent and high notifications are texted (`sms.send`) when the user switched SMS on and
/// has a valid E.164 number; never below high priority (cost control).
///
/// | case | route | skip reason |
/// |---|---|---|
/// | urgent/high, `sms_enabled`, valid `phone`, Twilio configured | `sms`, job `sms.send` | — |
/// | … Twilio not configured | — | `sms_not_configured` |
/// | urgent/high, `sms_enabled`, no `phone` / not E.164 | — | `no_phone` / `invalid_phone` |
/// | `sms_enabled` false, or normal/low | — | — |
///
/// Template: `sms_body` (plain text, trimmed; NULL means the type is never texted).
public struct SMSChannel: NotificationChannel {
    /// The template column of an SMS.
    public static let smsBody = "sms_body"
    public static let fields = [TemplateField(smsBody, .trimmedText)]

    public let name = "sms"
    public var templateFields: [TemplateField] { Self.fields }
    let configuration: NotificationDeliveryConfiguration
    let twilio: TwilioClient?
    /// Whether routing enqueues `sms.send` (else it records `sms_not_configured`).
    let configured: Bool

    /// SMS through `twilio`; without a client (or with `configuration.smsEnabled` off) routing
    /// records `sms_not_configured` and no handler runs.
    public init(configuration: NotificationDeliveryConfiguration, twilio: TwilioClient?) {
        self.init(configuration: configuration, twilio: twilio, configured: twilio != nil && configuration.smsEnabled)
    }

    /// Routing only, as configured by `configuration.smsEnabled` (no client: no handler).
    public static func routing(_ configuration: NotificationDeliveryConfiguration) -> SMSChannel {
        SMSChannel(configuration: configuration, twilio: nil, configured: configuration.smsEnabled)
    }

    private init(configuration: NotificationDeliveryConfiguration, twilio: TwilioClient?, configured: Bool) {
        self.configuration = configuration
        self.twilio = twilio
        self.configured = configured
    }

    public func route(_ input: NotificationRoutingInput) -> ChannelRoute {
        guard input.priority.isImmediate else { return .notApplicable("no SMS below high priority") }
        guard input.preferences.smsEnabled else { return .notApplicable("SMS disabled by the user") }
        guard let phone = input.preferences.phone else { return .skipped("no_phone", "no SMS: no phone number") }
        guard let number = PhoneNumber(phone) else { return .skipped("invalid_phone", "no SMS: phone number is not valid E.164") }
        guard configured else { return .skipped("sms_not_configured", "no SMS: Twilio is not configured") }
        return ChannelRoute(
            route: name,
            job: job(NotificationJobKind.smsSend, args: PostgresJSONArgs.sms(input.id.lowercasedString, to: number.e164), for: input,
                     queue: configuration.queue),
            explanation: "SMS to a valid E.164 number")
    }

    /// `sms.send`, when Twilio is configured.
    public func handlers(_ context: ChannelContext) -> [any JobHandler] {
        guard let twilio, configured else { return [] }
        return [SMSNotificationService(context: context, twilio: twilio)]
    }
}

extension ChannelPreferences {
    /// `notification_preferences.sms_enabled`; false when absent.
    public var smsEnabled: Bool { flag("sms_enabled") }
    /// `notification_preferences.phone` as stored (whitespace is forgiven when parsed); nil when NULL or empty.
    public var phone: String? { self["phone"].flatMap { $0.isEmpty ? nil : $0 } }
}

extension PostgresJSONArgs {
    /// `sms.send`'s arguments: ``NotificationJobKind/SMSArgs``.
    static func sms(_ id: String, to: String) -> PostgresJSON {
        PostgresJSON("{\"notification_id\":\"\(id)\",\"to\":\"\(to)\"}")
    }
}
