import Postgres

/// Builds job arguments as JSON without a failure path (the values are UUIDs and E.164 numbers).
/// The shapes are those of ``NotificationJobKind/NotificationArgs`` and ``NotificationJobKind/SMSArgs``.
enum PostgresJSONArgs {
    static func notification(_ id: String) -> PostgresJSON {
        PostgresJSON("{\"notification_id\":\"\(id)\"}")
    }

    static func sms(_ id: String, to: String) -> PostgresJSON {
        PostgresJSON("{\"notification_id\":\"\(id)\",\"to\":\"\(to)\"}")
    }
}
