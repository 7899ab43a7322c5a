import Foundation
import Postgres
import Queue

/// Decoding and encoding of the notification jobs' arguments, with a permanent failure for
/// arguments no retry can fix.
enum NotificationJobs {
    /// The `notification_id` of a job's args.
    static func notificationArgs(_ job: Job) throws -> UUID {
        if let id = fastNotificationID(job.args.text) { return id }
        guard let args = try? job.decodeArgs(NotificationJobKind.NotificationArgs.self), let id = UUID(uuidString: args.notificationID) else {
            throw PermanentJobError("\(job.kind) needs args {\"notification_id\": \"<uuid>\"}, got \(job.args.text.prefix(200))")
        }
        return id
    }

    /// The id from `{"notification_id": "<uuid>"}` as PostgreSQL prints jsonb (the common case),
    /// without a JSONDecoder; nil for any other shape, which then takes the decoder path.
    static func fastNotificationID(_ text: String) -> UUID? {
        let prefix = #"{"notification_id": ""#
        guard text.hasPrefix(prefix), text.hasSuffix(#""}"#) else { return nil }
        let body = text.dropFirst(prefix.count).dropLast(2)
        guard body.utf8.count == 36 else { return nil }
        return UUID(uuidString: String(body))
    }
}

/// Builds job arguments as JSON without a failure path (the values are UUIDs and E.164 numbers).
enum PostgresJSONArgs {
    static func notification(_ id: String) -> PostgresJSON {
        PostgresJSON("{\"notification_id\":\"\(id)\"}")
    }

    static func sms(_ id: String, to: String) -> PostgresJSON {
        PostgresJSON("{\"notification_id\":\"\(id)\",\"to\":\"\(to)\"}")
    }
}
