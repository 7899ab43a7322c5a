-- Every inbound reply webhook Herald receives is kept here, threaded or not, so nothing a
-- customer wrote is lost and an operator can replay what could not be matched.

CREATE TABLE inbound_emails (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Postmark's MessageID of the inbound message; a retried webhook carries the same one.
    provider_message_id text
        CONSTRAINT inbound_emails_provider_message_id_key UNIQUE,
    -- The Message-ID header as received (not validated: senders get it wrong).
    email_message_id    text
        CONSTRAINT inbound_emails_email_message_id_key UNIQUE,
    from_email          text        NOT NULL,
    to_email            text,
    -- The +hash of the address it was sent to (reply+<hash>@…), the participant's reply_token.
    mailbox_hash        text,
    subject             text,
    text_body           text,
    -- text_body without the quoted history and signature: what becomes the message body.
    stripped_text       text,
    in_reply_to         text,
    -- The References header (named so because REFERENCES is an SQL keyword).
    references_header   text,
    -- The whole webhook payload.
    raw                 jsonb       NOT NULL DEFAULT '{}'
        CONSTRAINT inbound_emails_raw_check CHECK (jsonb_typeof(raw) = 'object'),
    -- threaded: became message_id in thread_id; unmatched: no thread found; rejected: refused
    -- (unknown sender, integration off, empty body …), see error.
    status              text        NOT NULL
        CONSTRAINT inbound_emails_status_check CHECK (status IN ('threaded', 'unmatched', 'rejected')),
    thread_id           uuid
        CONSTRAINT inbound_emails_thread_id_fkey REFERENCES communication_threads (id) ON DELETE CASCADE,
    message_id          uuid
        CONSTRAINT inbound_emails_message_id_fkey REFERENCES communication_messages (id) ON DELETE SET NULL,
    error               text,
    received_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inbound_emails_threaded_check CHECK (status <> 'threaded' OR thread_id IS NOT NULL)
);

CREATE INDEX inbound_emails_status_idx ON inbound_emails (status, received_at) WHERE status <> 'threaded';
CREATE INDEX inbound_emails_thread_idx ON inbound_emails (thread_id) WHERE thread_id IS NOT NULL;

COMMENT ON TABLE inbound_emails IS 'Every inbound reply webhook (status threaded / unmatched / rejected); idempotent on provider_message_id and email_message_id.';

-- Inbound replies that did not become a message, newest first.
CREATE VIEW herald_unmatched_inbound AS
SELECT id, status, received_at, from_email, to_email, mailbox_hash, subject, in_reply_to, error,
       left(coalesce(stripped_text, text_body, ''), 200) AS preview,
       provider_message_id, email_message_id
  FROM inbound_emails
 WHERE status IN ('unmatched', 'rejected')
 ORDER BY received_at DESC;

COMMENT ON VIEW herald_unmatched_inbound IS 'Inbound replies not threaded (unmatched or rejected), newest first.';
