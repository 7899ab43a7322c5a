-- DiscussionEmailTracking: one row per recipient of every outbound discussion email, fed by the
-- open pixel, the click redirect and Postmark's delivery/bounce/complaint webhooks.

CREATE TABLE discussion_email_tracking (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    thread_id           uuid        NOT NULL,
    message_id          uuid        NOT NULL,
    recipient_email     text        NOT NULL
        CONSTRAINT discussion_email_tracking_recipient_email_check CHECK (
            char_length(recipient_email) <= 254 AND recipient_email ~ '^[^@[:space:]<>",;]+@[^@[:space:]<>",;]+$'),
    recipient_type      text        NOT NULL
        CONSTRAINT discussion_email_tracking_recipient_type_check CHECK (recipient_type IN ('client_contact', 'freelancer', 'external')),
    -- Path segment of the pixel URL (/t/<id>.gif) and key of the click links: unguessable.
    tracking_pixel_id   text        NOT NULL DEFAULT encode(gen_random_bytes(16), 'hex')
        CONSTRAINT discussion_email_tracking_tracking_pixel_id_key UNIQUE
        CONSTRAINT discussion_email_tracking_tracking_pixel_id_check CHECK (tracking_pixel_id ~ '^[A-Za-z0-9_-]{16,128}$'),
    -- Postmark's MessageID for this recipient's email (what its webhooks name).
    provider_message_id text,
    -- The RFC 5322 Message-ID header of this recipient's email, angle brackets included.
    email_message_id    text
        CONSTRAINT discussion_email_tracking_email_message_id_check CHECK (char_length(email_message_id) <= 998 AND email_message_id ~ '^<[^<>[:space:]]+>$'),
    sent_at             timestamptz,
    delivered_at        timestamptz,
    -- First open / first click: the earliest event time seen, whatever order events arrive in.
    opened_at           timestamptz,
    open_count          integer     NOT NULL DEFAULT 0
        CONSTRAINT discussion_email_tracking_open_count_check CHECK (open_count >= 0),
    clicked_at          timestamptz,
    click_count         integer     NOT NULL DEFAULT 0
        CONSTRAINT discussion_email_tracking_click_count_check CHECK (click_count >= 0),
    bounced_at          timestamptz,
    -- hard: permanent (invalid address); soft: temporary (mailbox full, server down);
    -- complaint: marked as spam.
    bounce_type         text
        CONSTRAINT discussion_email_tracking_bounce_type_check CHECK (bounce_type IN ('hard', 'soft', 'complaint')),
    bounce_reason       text,
    -- Of the latest open or click.
    user_agent          text,
    ip_address          inet,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT discussion_email_tracking_bounce_check CHECK (bounce_type IS NULL OR bounced_at IS NOT NULL),
    CONSTRAINT discussion_email_tracking_message_recipient_key UNIQUE (message_id, recipient_email),
    -- The message belongs to the thread; deleting either deletes its tracking.
    CONSTRAINT discussion_email_tracking_message_fkey FOREIGN KEY (thread_id, message_id)
        REFERENCES communication_messages (thread_id, id) ON DELETE CASCADE
);

COMMENT ON TABLE discussion_email_tracking IS 'DiscussionEmailTracking: one row per recipient of each outbound discussion email (sent, delivered, opens, clicks, bounces).';

CREATE INDEX discussion_email_tracking_thread_idx ON discussion_email_tracking (thread_id, message_id);
CREATE INDEX discussion_email_tracking_provider_message_id_idx ON discussion_email_tracking (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
-- Inbound replies find the email they answer by its Message-ID (In-Reply-To / References).
CREATE INDEX discussion_email_tracking_email_message_id_idx ON discussion_email_tracking (email_message_id)
    WHERE email_message_id IS NOT NULL;

-- The links Herald put in one recipient's email, by position. The click endpoint redirects only
-- to a URL found here: never to a URL taken from the request (no open redirect).
CREATE TABLE discussion_email_links (
    tracking_pixel_id text    NOT NULL
        CONSTRAINT discussion_email_links_tracking_pixel_id_fkey
        REFERENCES discussion_email_tracking (tracking_pixel_id) ON DELETE CASCADE,
    position          integer NOT NULL
        CONSTRAINT discussion_email_links_position_check CHECK (position >= 0),
    url               text    NOT NULL
        CONSTRAINT discussion_email_links_url_check CHECK (char_length(url) <= 8192 AND url ~* '^(https?|mailto):[^[:space:]]+$'),
    CONSTRAINT discussion_email_links_pkey PRIMARY KEY (tracking_pixel_id, position)
);

COMMENT ON TABLE discussion_email_links IS 'URLs Herald wrote into each tracked email; the click endpoint redirects only to these.';

-- Tracking statistics. Definitions (shared by the Swift TrackingStats):
--   total     rows (recipients) in scope;
--   sent      rows with sent_at; delivered, opened, clicked, bounced likewise (a row counts once,
--             however many opens or clicks it had);
--   open_rate 100 × opened / sent, rounded to 2 decimals; 0 when nothing was sent.
CREATE FUNCTION herald_tracking_stats_for_thread(thread uuid)
RETURNS TABLE (total bigint, sent bigint, delivered bigint, opened bigint, clicked bigint, bounced bigint, open_rate numeric)
LANGUAGE sql STABLE AS $$
    SELECT count(*),
           count(sent_at),
           count(delivered_at),
           count(opened_at),
           count(clicked_at),
           count(bounced_at),
           CASE WHEN count(sent_at) = 0 THEN 0::numeric
                ELSE round(100.0 * count(opened_at) / count(sent_at), 2) END
      FROM discussion_email_tracking
     WHERE thread_id = $1
$$;

CREATE FUNCTION herald_tracking_stats_for_message(message uuid)
RETURNS TABLE (total bigint, sent bigint, delivered bigint, opened bigint, clicked bigint, bounced bigint, open_rate numeric)
LANGUAGE sql STABLE AS $$
    SELECT count(*),
           count(sent_at),
           count(delivered_at),
           count(opened_at),
           count(clicked_at),
           count(bounced_at),
           CASE WHEN count(sent_at) = 0 THEN 0::numeric
                ELSE round(100.0 * count(opened_at) / count(sent_at), 2) END
      FROM discussion_email_tracking
     WHERE message_id = $1
$$;

COMMENT ON FUNCTION herald_tracking_stats_for_thread(uuid) IS 'total, sent, delivered, opened, clicked, bounced recipients of a thread''s emails; open_rate = round(100 × opened / sent, 2), 0 when sent = 0.';
COMMENT ON FUNCTION herald_tracking_stats_for_message(uuid) IS 'total, sent, delivered, opened, clicked, bounced recipients of a message''s emails; open_rate = round(100 × opened / sent, 2), 0 when sent = 0.';
