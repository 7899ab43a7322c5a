public import Providers

/// The channels Herald ships, in the order their parts appear in `notifications.route`
/// (`email+sms`). A new channel is added to ``all(configuration:postmark:additionalPostmarkClients:twilio:)``
/// and its fields to ``templateFields``.
public enum BuiltInChannels {
    /// Email, then SMS.
    public static func all(configuration: NotificationDeliveryConfiguration, postmark: PostmarkClient?,
                           additionalPostmarkClients: [PostmarkClient] = [], twilio: TwilioClient?) -> [any NotificationChannel] {
        [EmailChannel(configuration: configuration, postmark: postmark, additionalPostmarkClients: additionalPostmarkClients),
         SMSChannel(configuration: configuration, twilio: twilio)]
    }

    /// The channels as routing sees them, without provider clients (SMS routes as
    /// `configuration.smsEnabled` says).
    public static func routing(configuration: NotificationDeliveryConfiguration) -> [any NotificationChannel] {
        [EmailChannel(configuration: configuration, postmark: nil), SMSChannel.routing(configuration)]
    }

    /// Every template column the built-in channels render, and how.
    public static let templateFields = EmailChannel.fields + SMSChannel.fields
}
