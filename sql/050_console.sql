-- The operator console (docs/console.md): the record of what operators did from it, discarding
-- held inbound replies, and the indexes its pages need to answer in milliseconds with millions
-- of jobs. Nothing here is on the queue's hot path: the one new herald_jobs index is partial
-- over failed and cancelled rows, which claims and completions never write.

-- Every action taken in the console (retry, cancel, bulk retry, suppression removed with its
-- reason, reply released or discarded), by whom and when.
CREATE TABLE herald_console_actions (
    id     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text        NOT NULL CONSTRAINT herald_console_actions_actor_check CHECK (char_length(actor) BETWEEN 1 AND 256),
    action text        NOT NULL CONSTRAINT herald_console_actions_action_check CHECK (char_length(action) BETWEEN 1 AND 64),
    -- A job id, a kind, an address, an inbound email id …
    target text        NOT NULL CONSTRAINT herald_console_actions_target_check CHECK (char_length(target) <= 512),
    detail text        NOT NULL DEFAULT '' CONSTRAINT herald_console_actions_detail_check CHECK (char_length(detail) <= 4000)
);
CREATE INDEX herald_console_actions_target_idx ON herald_console_actions (target, at);

COMMENT ON TABLE herald_console_actions IS 'Audit log of the operator console: who retried, cancelled, released, discarded or un-suppressed what, and why.';

-- A held reply an operator decided to drop. The row stays (with its raw webhook) for the record;
-- the console's list of held replies leaves it out.
ALTER TABLE inbound_emails
    ADD COLUMN IF NOT EXISTS discarded_at timestamptz,
    ADD COLUMN IF NOT EXISTS discarded_by text,
    ADD COLUMN IF NOT EXISTS discard_note text CONSTRAINT inbound_emails_discard_note_check CHECK (char_length(discard_note) <= 2000);

-- People: search by address.
CREATE INDEX IF NOT EXISTS notification_preferences_email_idx ON notification_preferences (lower(email));
CREATE INDEX IF NOT EXISTS discussion_email_tracking_recipient_idx ON discussion_email_tracking (lower(recipient_email), sent_at);
-- A notification's failed or cancelled jobs (unique keys notification.route:<id>, email.send:<id>,
-- sms.send:<id>); live ones are in herald_jobs_unique_key_idx already.
CREATE INDEX IF NOT EXISTS herald_jobs_unique_key_finished_idx ON herald_jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('failed', 'cancelled');
-- Discussions: the newest threads.
CREATE INDEX IF NOT EXISTS communication_threads_created_idx ON communication_threads (created_at);
