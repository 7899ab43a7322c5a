import Foundation
import Postgres
import Queue

/// Decoding and encoding of the notification jobs' arguments, with a permanent failure for
/// arguments no retry can fix.
enum NotificationJobs {
    /// The `notification_id` of a job's args.
    static func notificationArgs(_ job: Job) throws -> UUID {
        guard let args = try? job.decodeArgs(NotificationJobKind.NotificationArgs.self), let id = UUID(uuidString: args.notificationID) else {
            throw PermanentJobError("\(job.kind) needs args {\"notification_id\": \"<uuid>\"}, got \(job.args.text.prefix(200))")
        }
        return id
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
