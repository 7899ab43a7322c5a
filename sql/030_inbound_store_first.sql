-- Inbound email that holds up on real mail (issue 10).
--
-- 1. Store first: every authenticated inbound webhook is written (status 'received') before it
--    is processed; a processing error leaves it as 'failed' with the error, for
--    `herald inbound reprocess ID`.
-- 2. Automatic email (out-of-office replies, delivery notifications) is kept with a status of its
--    own, 'auto_reply' or 'bounce', never threaded and never releasable into a thread.
-- 3. Attachments are kept in their own table, linked to the inbound email and to the message.

ALTER TABLE inbound_emails DROP CONSTRAINT inbound_emails_status_check;
ALTER TABLE inbound_emails ADD CONSTRAINT inbound_emails_status_check CHECK (
    status IN ('received', 'threaded', 'unmatched', 'rejected', 'auto_reply', 'bounce', 'failed'));

ALTER TABLE inbound_emails DROP CONSTRAINT inbound_emails_reason_check;
ALTER TABLE inbound_emails ADD CONSTRAINT inbound_emails_reason_check CHECK (
    reason IN ('no_thread', 'integration_off', 'invalid_sender', 'empty_reply', 'sender_mismatch', 'spam',
               'auto_reply', 'bounce', 'processing_error'));

ALTER TABLE inbound_emails
    -- The HTML part as received (an HTML-only reply is converted to text from it).
    ADD COLUMN html_body        text,
    -- For auto_reply / bounce: the signal that gave it away, e.g. 'Auto-Submitted: auto-replied'.
    ADD COLUMN auto_signal      text
        CONSTRAINT inbound_emails_auto_signal_check CHECK (char_length(auto_signal) <= 1000),
    -- How many times processing ran (the first receipt, Postmark retries, reprocess commands).
    ADD COLUMN attempts         integer     NOT NULL DEFAULT 0
        CONSTRAINT inbound_emails_attempts_check CHECK (attempts >= 0),
    -- When processing last finished (with any outcome, 'failed' included).
    ADD COLUMN processed_at     timestamptz,
    -- Number of attachments kept in inbound_email_attachments.
    ADD COLUMN attachment_count integer     NOT NULL DEFAULT 0
        CONSTRAINT inbound_emails_attachment_count_check CHECK (attachment_count >= 0);

COMMENT ON COLUMN inbound_emails.status IS
    'received (stored, not processed yet) | threaded | unmatched | rejected | auto_reply | bounce | failed (processing error, see error; herald inbound reprocess ID)';

-- Rows stuck in 'received' (a process died between storing and processing) or 'failed'.
CREATE INDEX inbound_emails_pending_idx ON inbound_emails (received_at) WHERE status IN ('received', 'failed');

CREATE TABLE inbound_email_attachments (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    inbound_email_id uuid        NOT NULL
        CONSTRAINT inbound_email_attachments_inbound_email_id_fkey REFERENCES inbound_emails (id) ON DELETE CASCADE,
    -- The message the reply became (set when the reply is threaded).
    message_id       uuid
        CONSTRAINT inbound_email_attachments_message_id_fkey REFERENCES communication_messages (id) ON DELETE SET NULL,
    -- Order in the email, from 0.
    position         integer     NOT NULL
        CONSTRAINT inbound_email_attachments_position_check CHECK (position >= 0),
    name             text        NOT NULL DEFAULT ''
        CONSTRAINT inbound_email_attachments_name_check CHECK (char_length(name) <= 255 AND name !~ '[\r\n]'),
    content_type     text        NOT NULL DEFAULT 'application/octet-stream'
        CONSTRAINT inbound_email_attachments_content_type_check CHECK (char_length(content_type) <= 255 AND content_type !~ '[\r\n]'),
    -- Bytes of content (the decoded file).
    size             bigint      NOT NULL
        CONSTRAINT inbound_email_attachments_size_check CHECK (size >= 0),
    -- Content-ID of an inline part (cid: in the HTML), without angle brackets.
    content_id       text
        CONSTRAINT inbound_email_attachments_content_id_check CHECK (char_length(content_id) <= 998 AND content_id !~ '[\r\n]'),
    content          bytea       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inbound_email_attachments_size_matches_check CHECK (size = octet_length(content)),
    CONSTRAINT inbound_email_attachments_position_key UNIQUE (inbound_email_id, position)
);

CREATE INDEX inbound_email_attachments_message_idx ON inbound_email_attachments (message_id) WHERE message_id IS NOT NULL;

COMMENT ON TABLE inbound_email_attachments IS 'Files that came with an inbound email (decoded), linked to the message the reply became.';

-- The same view, also listing automatic email, processing failures and rows not processed yet,
-- with whether `herald inbound release` may thread it (only sender_mismatch and spam).
CREATE OR REPLACE VIEW herald_unmatched_inbound AS
SELECT i.id, i.status, i.received_at, i.from_email, i.to_email, i.mailbox_hash, i.subject, i.in_reply_to, i.error,
       left(coalesce(i.stripped_text, i.text_body, ''), 200) AS preview,
       i.provider_message_id, i.email_message_id,
       i.reason, i.thread_id, i.parent_message_id, i.participant_id, p.email AS claimed_email,
       i.auto_signal, i.attachment_count, i.attempts,
       (i.status = 'rejected' AND i.reason IN ('sender_mismatch', 'spam') AND i.thread_id IS NOT NULL) AS releasable
  FROM inbound_emails i
  LEFT JOIN communication_thread_participants p ON p.id = i.participant_id
 WHERE i.status IN ('unmatched', 'rejected', 'auto_reply', 'bounce', 'failed', 'received')
 ORDER BY i.received_at DESC;

COMMENT ON VIEW herald_unmatched_inbound IS 'Inbound emails not threaded (unmatched, rejected, auto_reply, bounce, failed, received), newest first; releasable says whether herald inbound release may thread it.';
