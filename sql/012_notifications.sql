-- Notifications and digests. The main application writes notifications (plain INSERT or
-- herald_notify); a statement-level trigger enqueues one `notification.route` job per new
-- notification in the same transaction, so a rolled-back producer leaves neither behind.

-- One digest email per user per period. period_key identifies the period in the user's time
-- zone (e.g. 'daily:2025-03-14', 'weekly:2025-W11', 'monthly:2025-03'); the unique key makes a
-- re-run of the scheduler or a retried job build the same digest, not a second one.
CREATE TABLE digests (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid        NOT NULL,
    tenant_id           uuid        NOT NULL,
    frequency           text        NOT NULL
        CONSTRAINT digests_frequency_check CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    period_key          text        NOT NULL
        CONSTRAINT digests_period_key_check CHECK (char_length(period_key) BETWEEN 1 AND 64),
    period_start        timestamptz NOT NULL,
    period_end          timestamptz NOT NULL,
    notification_count  integer     NOT NULL DEFAULT 0
        CONSTRAINT digests_notification_count_check CHECK (notification_count >= 0),
    email_sent_at       timestamptz,
    -- Postmark MessageID of the digest email.
    provider_message_id text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT digests_period_check CHECK (period_end > period_start),
    CONSTRAINT digests_user_period_key UNIQUE (user_id, period_key)
);

COMMENT ON TABLE digests IS 'One digest email per user and period (UNIQUE user_id, period_key).';

CREATE TABLE notifications (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid        NOT NULL,
    user_id             uuid        NOT NULL,
    -- The notification type; also the key of its NotificationTemplate.
    type                text        NOT NULL
        CONSTRAINT notifications_type_check CHECK (
            char_length(type) <= 128 AND type ~ '^[A-Za-z0-9_]+([.:-][A-Za-z0-9_]+)*$'),
    -- urgent/high: email now (+ SMS when the user allows it); normal/low: the user's digest.
    priority            text        NOT NULL DEFAULT 'normal'
        CONSTRAINT notifications_priority_check CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    -- Template variables.
    data                jsonb       NOT NULL DEFAULT '{}'
        CONSTRAINT notifications_data_check CHECK (jsonb_typeof(data) = 'object'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- Set by the notification.route job. A row inserted with routed_at already set (an import
    -- of history) enqueues no route job.
    routed_at           timestamptz,
    -- What routing decided: 'email', 'email+sms', 'digest:daily', 'none' …
    route               text
        CONSTRAINT notifications_route_check CHECK (char_length(route) <= 64),
    -- Why a channel was skipped (e.g. 'digest_never', 'suppressed', 'no_email').
    skip_reason         text,
    email_sent_at       timestamptz,
    -- Postmark MessageID of the email that carried it (immediate email or digest).
    provider_message_id text,
    sms_sent_at         timestamptz,
    -- Twilio Message SID; sms_status/sms_error follow Twilio's status callbacks.
    sms_sid             text,
    sms_status          text
        CONSTRAINT notifications_sms_status_check CHECK (sms_status ~ '^[a-z_]{1,32}$'),
    sms_error           text,
    -- The digest that delivered it (normal/low priority only).
    digest_id           uuid
        CONSTRAINT notifications_digest_id_fkey REFERENCES digests (id) ON DELETE SET NULL
);

COMMENT ON TABLE notifications IS 'Notifications to deliver. INSERT (or SELECT herald_notify(...)) enqueues a notification.route job in the same transaction.';

-- A user's notifications, newest first (the application's list, the admin page).
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at);
-- The digest builder: a user's not-yet-emailed normal/low notifications in a time range.
CREATE INDEX notifications_digest_pending_idx ON notifications (user_id, created_at)
    WHERE email_sent_at IS NULL AND digest_id IS NULL AND priority IN ('normal', 'low');
-- Webhooks find notifications by provider ids.
CREATE INDEX notifications_provider_message_id_idx ON notifications (provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX notifications_sms_sid_idx ON notifications (sms_sid) WHERE sms_sid IS NOT NULL;
CREATE INDEX notifications_digest_id_idx ON notifications (digest_id) WHERE digest_id IS NOT NULL;

-- Job priority of a notification priority: urgent 0, high 1, normal 2, low 3.
CREATE FUNCTION herald_notification_job_priority(priority text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)::smallint
$$;

-- One INSERT … SELECT per statement, however many notifications it inserted: a bulk insert of
-- 100,000 notifications costs one extra statement, not 100,000 function calls.
CREATE FUNCTION herald_notifications_enqueue_route() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO herald_jobs (kind, args, priority, unique_key, queue, state)
    SELECT 'notification.route',
           jsonb_build_object('notification_id', n.id),
           herald_notification_job_priority(n.priority),
           'notification.route:' || n.id,
           'default',
           'available'
      FROM new_rows n
     WHERE n.routed_at IS NULL
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')
    DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_enqueue_route AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_notifications_enqueue_route();

-- The producer's call: inserts one notification in the caller's transaction and returns its id.
-- The insert trigger enqueues its notification.route job (priority 0 urgent … 3 low), so calling
-- this and inserting directly are equivalent and neither enqueues twice.
CREATE FUNCTION herald_notify(
    tenant_id uuid,
    user_id   uuid,
    type      text,
    priority  text  DEFAULT 'normal',
    data      jsonb DEFAULT '{}'
) RETURNS uuid LANGUAGE sql AS $$
    INSERT INTO notifications (tenant_id, user_id, type, priority, data)
    VALUES ($1, $2, $3, coalesce($4, 'normal'), coalesce($5, '{}'))
    RETURNING id
$$;

COMMENT ON FUNCTION herald_notify(uuid, uuid, text, text, jsonb) IS 'Insert a notification and (via trigger) enqueue its notification.route job in the caller''s transaction; returns the notification id.';
