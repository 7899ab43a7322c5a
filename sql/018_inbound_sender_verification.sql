-- Inbound replies are threaded only when their sender may post as the reply address claims
-- (InboundReplyService: the participant the reply token was issued to; for a reply matched by
-- Message-ID only, a participant of the thread). Anything else is kept, not lost: status
-- 'rejected' with a machine-readable reason, and with what the reply claimed (thread, the message
-- it answers, the participant whose reply address it used) so an operator can review and release it.

ALTER TABLE inbound_emails
    -- Why it was not threaded: no_thread (unmatched), integration_off, invalid_sender, empty_reply,
    -- sender_mismatch (not the participant the reply address belongs to), spam (the provider's
    -- X-Spam-Status verdict). Kept after a release, so the history stays readable.
    ADD COLUMN reason            text
        CONSTRAINT inbound_emails_reason_check CHECK (
            reason IN ('no_thread', 'integration_off', 'invalid_sender', 'empty_reply', 'sender_mismatch', 'spam')),
    -- The participant whose reply address (or reply token) the email was sent to; for a threaded
    -- reply, the participant who wrote it.
    ADD COLUMN participant_id    uuid
        CONSTRAINT inbound_emails_participant_id_fkey REFERENCES communication_thread_participants (id) ON DELETE SET NULL,
    -- The message the reply answers (found by In-Reply-To / References), when known.
    ADD COLUMN parent_message_id uuid
        CONSTRAINT inbound_emails_parent_message_id_fkey REFERENCES communication_messages (id) ON DELETE SET NULL,
    -- When an operator released a refused reply into its thread (status became threaded).
    ADD COLUMN released_at       timestamptz;

-- Rows written before this migration: the reason their status or error text already said.
UPDATE inbound_emails
   SET reason = CASE
           WHEN status = 'unmatched' THEN 'no_thread'
           WHEN error = 'email integration is off for this tenant' THEN 'integration_off'
           WHEN error = 'the sender address is not valid' THEN 'invalid_sender'
           WHEN error = 'the reply is empty once the quoted text is removed' THEN 'empty_reply'
       END
 WHERE status <> 'threaded';

CREATE INDEX inbound_emails_reason_idx ON inbound_emails (reason, received_at) WHERE status <> 'threaded';

COMMENT ON COLUMN inbound_emails.reason IS 'Why the reply was not threaded: no_thread, integration_off, invalid_sender, empty_reply, sender_mismatch, spam.';

-- The same view, with the reason and the claim appended (CREATE OR REPLACE keeps existing columns).
CREATE OR REPLACE VIEW herald_unmatched_inbound AS
SELECT i.id, i.status, i.received_at, i.from_email, i.to_email, i.mailbox_hash, i.subject, i.in_reply_to, i.error,
       left(coalesce(i.stripped_text, i.text_body, ''), 200) AS preview,
       i.provider_message_id, i.email_message_id,
       i.reason, i.thread_id, i.parent_message_id, i.participant_id, p.email AS claimed_email
  FROM inbound_emails i
  LEFT JOIN communication_thread_participants p ON p.id = i.participant_id
 WHERE i.status IN ('unmatched', 'rejected')
 ORDER BY i.received_at DESC;

COMMENT ON VIEW herald_unmatched_inbound IS 'Inbound replies not threaded (unmatched or rejected), newest first; reason says why, claimed_email whose reply address was used.';
