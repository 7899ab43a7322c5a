import Postgres

/// Builds job arguments as JSON without a failure path (the values are UUIDs and E.164 numbers).
/// The shape is that of ``NotificationJobKind/NotificationArgs``; channels add theirs (`sms`).
enum PostgresJSONArgs {
    static func notification(_ id: String) -> PostgresJSON {
        PostgresJSON("{\"notification_id\":\"\(id)\"}")
    }
}
