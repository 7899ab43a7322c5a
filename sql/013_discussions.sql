-- Discussions: threads, their messages (CommunicationMessage) and participants. A message posted
-- in the application (source 'app') enqueues a `message.fanout` job when the thread's tenant has
-- email integration on; the fan-out emails the thread's external participants.
--
-- Message-IDs are stored as they appear in the header, angle brackets included
-- ('<0f3c…@mail.example.com>'), so a reply's In-Reply-To / References compare directly.

CREATE TABLE communication_threads (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid        NOT NULL,
    -- Becomes the email Subject: no line breaks.
    subject         text        NOT NULL DEFAULT ''
        CONSTRAINT communication_threads_subject_check CHECK (char_length(subject) <= 998 AND subject !~ '[\r\n]'),
    -- Groups the thread's emails; safe to put inside a Message-ID or References header.
    email_thread_id text        NOT NULL DEFAULT encode(gen_random_bytes(16), 'hex')
        CONSTRAINT communication_threads_email_thread_id_key UNIQUE
        CONSTRAINT communication_threads_email_thread_id_check CHECK (email_thread_id ~ '^[A-Za-z0-9][A-Za-z0-9._=+-]{0,127}$'),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX communication_threads_tenant_idx ON communication_threads (tenant_id, created_at);

COMMENT ON TABLE communication_threads IS 'Discussion threads; email_thread_id groups the thread''s emails.';

CREATE TABLE communication_messages (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    thread_id         uuid        NOT NULL
        CONSTRAINT communication_messages_thread_id_fkey REFERENCES communication_threads (id) ON DELETE CASCADE,
    -- An application user, or (for replies by email) the sender's address.
    author_user_id    uuid,
    author_email      text
        CONSTRAINT communication_messages_author_email_check CHECK (char_length(author_email) <= 254 AND author_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    author_name       text
        CONSTRAINT communication_messages_author_name_check CHECK (char_length(author_name) <= 200 AND author_name !~ '[\r\n]'),
    body              text        NOT NULL
        CONSTRAINT communication_messages_body_check CHECK (char_length(body) <= 1000000),
    -- 'app': posted in the application (emailed out); 'email': a reply received by email.
    source            text        NOT NULL DEFAULT 'app'
        CONSTRAINT communication_messages_source_check CHECK (source IN ('app', 'email')),
    -- The Message-ID header this message was sent with (or received with). NULL until then.
    email_message_id  text
        CONSTRAINT communication_messages_email_message_id_key UNIQUE
        CONSTRAINT communication_messages_email_message_id_check CHECK (char_length(email_message_id) <= 998 AND email_message_id ~ '^<[^<>[:space:]]+>$'),
    -- The parent message's Message-ID (the In-Reply-To header).
    email_in_reply_to text
        CONSTRAINT communication_messages_email_in_reply_to_check CHECK (char_length(email_in_reply_to) <= 998 AND email_in_reply_to ~ '^<[^<>[:space:]]+>$'),
    -- The message this one answers; always in the same thread.
    parent_message_id uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT communication_messages_email_author_check CHECK (source <> 'email' OR author_email IS NOT NULL),
    -- Target of the same-thread foreign keys below and in discussion_email_tracking.
    CONSTRAINT communication_messages_thread_message_key UNIQUE (thread_id, id),
    CONSTRAINT communication_messages_parent_fkey FOREIGN KEY (thread_id, parent_message_id)
        REFERENCES communication_messages (thread_id, id) ON DELETE SET NULL (parent_message_id)
);

CREATE INDEX communication_messages_thread_idx ON communication_messages (thread_id, created_at);

COMMENT ON TABLE communication_messages IS 'CommunicationMessage: email_message_id is its Message-ID header, email_in_reply_to its parent''s; INSERT with source ''app'' enqueues message.fanout when the tenant has email_integration_enabled.';

CREATE TABLE communication_thread_participants (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    thread_id      uuid        NOT NULL
        CONSTRAINT communication_thread_participants_thread_id_fkey REFERENCES communication_threads (id) ON DELETE CASCADE,
    email          text        NOT NULL
        CONSTRAINT communication_thread_participants_email_check CHECK (char_length(email) <= 254 AND email ~ '^[^@[:space:]<>",;]+@[^@[:space:]<>",;]+$'),
    name           text
        CONSTRAINT communication_thread_participants_name_check CHECK (char_length(name) <= 200 AND name !~ '[\r\n]'),
    recipient_type text        NOT NULL
        CONSTRAINT communication_thread_participants_recipient_type_check CHECK (recipient_type IN ('client_contact', 'freelancer', 'external')),
    user_id        uuid,
    -- The +hash of this participant's reply address (reply+<token>@<email_reply_domain>):
    -- unguessable, and it identifies thread and sender of an inbound reply.
    reply_token    text        NOT NULL DEFAULT encode(gen_random_bytes(16), 'hex')
        CONSTRAINT communication_thread_participants_reply_token_key UNIQUE
        CONSTRAINT communication_thread_participants_reply_token_check CHECK (reply_token ~ '^[A-Za-z0-9_-]{16,128}$'),
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- One participant per address per thread, whatever its case.
CREATE UNIQUE INDEX communication_thread_participants_thread_email_key
    ON communication_thread_participants (thread_id, lower(email));

COMMENT ON TABLE communication_thread_participants IS 'Who receives a thread''s emails; reply_token is the +hash of their reply address.';

-- One INSERT … SELECT per statement: fan-out jobs for the app messages of tenants with email
-- integration on. Re-inserting is harmless (unique_key).
CREATE FUNCTION herald_messages_enqueue_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO herald_jobs (kind, args, priority, unique_key, queue, state)
    SELECT 'message.fanout',
           jsonb_build_object('message_id', m.id),
           1,
           'message.fanout:' || m.id,
           'default',
           'available'
      FROM new_rows m
      JOIN communication_threads t ON t.id = m.thread_id
      JOIN communication_settings s ON s.tenant_id = t.tenant_id
     WHERE m.source = 'app' AND s.email_integration_enabled
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')
    DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER communication_messages_enqueue_fanout AFTER INSERT ON communication_messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_messages_enqueue_fanout();
