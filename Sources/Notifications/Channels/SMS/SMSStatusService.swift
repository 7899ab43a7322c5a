public import Postgres
public import Providers

/// Records Twilio's status callbacks on the notification whose SMS they are about
/// (`notifications.sms_status`, `sms_error`, matched by `sms_sid`).
///
/// Callbacks may arrive late and out of order: a final status (``TwilioStatusUpdate/finalStatuses``)
/// is never replaced by an intermediate one, and an update without an error keeps the stored one.
public struct SMSStatusService: Sendable {
    /// Where the notifications live.
    public let pool: PostgresPool

    /// A service over `pool` (no state of its own).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Records `update`. Returns false when no notification has its SID (nothing changes then).
    @discardableResult
    public func record(_ update: TwilioStatusUpdate) async throws -> Bool {
        let rows = try await pool.query(
            """
            UPDATE notifications
               SET sms_status = CASE WHEN sms_status = ANY($4::text[]) AND NOT ($2 = ANY($4::text[])) THEN sms_status ELSE $2 END,
                   sms_error = coalesce($3, sms_error)
             WHERE sms_sid = $1
            RETURNING id
            """, [update.messageSID, update.status, update.error, TwilioStatusUpdate.finalStatuses])
        return !rows.isEmpty
    }
}
