-- Provider events for every email, not only discussion emails: Postmark's Delivery, Bounce and
-- SpamComplaint webhooks are recorded on the notification (its immediate email) or the digest
-- they are about, matched by Postmark's MessageID or by Herald's metadata.
-- The same rules as discussion_email_tracking: delivered_at keeps the first delivery; a soft
-- bounce never replaces a hard bounce or a complaint.

ALTER TABLE notifications
    ADD COLUMN email_delivered_at   timestamptz,
    ADD COLUMN email_bounced_at     timestamptz,
    ADD COLUMN email_bounce_type    text
        CONSTRAINT notifications_email_bounce_type_check CHECK (email_bounce_type IN ('hard', 'soft', 'complaint')),
    ADD COLUMN email_bounce_reason  text
        CONSTRAINT notifications_email_bounce_reason_check CHECK (char_length(email_bounce_reason) <= 2000),
    ADD COLUMN email_complained_at  timestamptz;

ALTER TABLE digests
    ADD COLUMN email_delivered_at   timestamptz,
    ADD COLUMN email_bounced_at     timestamptz,
    ADD COLUMN email_bounce_type    text
        CONSTRAINT digests_email_bounce_type_check CHECK (email_bounce_type IN ('hard', 'soft', 'complaint')),
    ADD COLUMN email_bounce_reason  text
        CONSTRAINT digests_email_bounce_reason_check CHECK (char_length(email_bounce_reason) <= 2000),
    ADD COLUMN email_complained_at  timestamptz;

CREATE INDEX digests_provider_message_id_idx ON digests (provider_message_id) WHERE provider_message_id IS NOT NULL;

COMMENT ON COLUMN notifications.email_delivered_at IS 'First Postmark Delivery webhook for this notification''s immediate email.';
COMMENT ON COLUMN notifications.email_bounce_type IS 'hard | soft | complaint, from Postmark''s Bounce / SpamComplaint webhooks.';
COMMENT ON COLUMN digests.email_delivered_at IS 'First Postmark Delivery webhook for this digest email.';
COMMENT ON COLUMN digests.email_bounce_type IS 'hard | soft | complaint, from Postmark''s Bounce / SpamComplaint webhooks.';
