-- Addresses Herald must not email: hard bounces, spam complaints, manual entries. Stored
-- lower-case, so a lookup is one index probe on lower(input).

CREATE TABLE email_suppressions (
    email       text        PRIMARY KEY
        CONSTRAINT email_suppressions_email_check CHECK (
            email = lower(email) AND char_length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    -- Why, in words (the provider's description, or an operator's note).
    reason      text        NOT NULL
        CONSTRAINT email_suppressions_reason_check CHECK (char_length(reason) <= 2000),
    -- For suppressions caused by a bounce: hard, soft or complaint.
    bounce_type text
        CONSTRAINT email_suppressions_bounce_type_check CHECK (bounce_type IN ('hard', 'soft', 'complaint')),
    -- Who added it: 'postmark_webhook', 'send_error', 'manual', 'import' …
    source      text        NOT NULL DEFAULT 'manual'
        CONSTRAINT email_suppressions_source_check CHECK (char_length(source) BETWEEN 1 AND 64),
    created_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE email_suppressions IS 'Addresses never emailed (lower-case). Remove a row to allow an address again.';
