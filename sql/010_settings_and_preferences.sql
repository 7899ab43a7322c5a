-- Tenant communication settings and per-user notification preferences, written by the main
-- application and read by Herald. Every rule is a named CHECK so a bad row is refused by the
-- database itself, whoever writes it.

-- Keeps updated_at honest for writers that forget it (low-volume tables only: a row trigger).
CREATE FUNCTION herald_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- True when `tz` is a time zone name of the tz database, spelled exactly as the database
-- spells it ('UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'), so every
-- consumer (PostgreSQL, Foundation's TimeZone, ICU) understands it the same way.
-- Refused: unknown names, other spellings ('europe/paris'), numeric offsets ('5', '+02:00'),
-- abbreviations ('PST', 'CEST') and POSIX rules ('ABC+3'), which PostgreSQL alone would accept.
-- PostgreSQL resolves the name when it is set as TimeZone and reports it in its canonical
-- spelling; the function's own SET clause restores the caller's TimeZone on exit.
-- (pg_timezone_names would be exact too, but reads the whole tz directory: ~150 ms a call.)
-- Declared IMMUTABLE so it can sit in a CHECK; the tz database only changes with a server upgrade.
CREATE FUNCTION herald_is_valid_time_zone(tz text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE SET TimeZone = 'UTC' AS $$
BEGIN
    IF tz IS NULL THEN
        RETURN NULL;
    END IF;
    IF char_length(tz) > 64
       OR tz !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$'
       OR (tz ~ '^[A-Za-z]{3,}[+-]?[0-9]' AND tz NOT IN ('EST5EDT', 'CST6CDT', 'MST7MDT', 'PST8PDT', 'GMT0', 'GMT+0', 'GMT-0'))
    THEN
        RETURN false;
    END IF;
    PERFORM set_config('TimeZone', tz, true);
    RETURN current_setting('TimeZone') = tz;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END
$$;

COMMENT ON FUNCTION herald_is_valid_time_zone(text) IS 'True for a tz database zone name such as Europe/Paris or UTC; false for offsets, abbreviations and unknown names.';

-- One row per tenant. A tenant without a row has email integration off.
CREATE TABLE communication_settings (
    tenant_id                 uuid        PRIMARY KEY,
    -- Off: no email goes to external recipients, and discussion messages enqueue no fan-out.
    email_integration_enabled boolean     NOT NULL DEFAULT false,
    -- Domain of the reply addresses reply+<token>@<email_reply_domain>: a host name, no scheme,
    -- no '@', no trailing dot.
    email_reply_domain        text
        CONSTRAINT communication_settings_email_reply_domain_check CHECK (
            char_length(email_reply_domain) <= 253
            AND email_reply_domain ~* '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$'),
    -- Plain text appended to every outbound email. Longer input is refused, never cut.
    email_signature           text
        CONSTRAINT communication_settings_email_signature_length CHECK (char_length(email_signature) <= 2000),
    from_email                text
        CONSTRAINT communication_settings_from_email_check CHECK (
            char_length(from_email) <= 254 AND from_email ~ '^[^@[:space:]<>",;]+@[^@[:space:]<>",;]+$'),
    -- Goes into the From header: no line breaks (header injection).
    from_name                 text
        CONSTRAINT communication_settings_from_name_check CHECK (char_length(from_name) <= 200 AND from_name !~ '[\r\n]'),
    updated_at                timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE communication_settings IS 'Per-tenant email settings (email_integration_enabled, email_reply_domain, email_signature ≤ 2,000 characters, sender).';

CREATE TRIGGER communication_settings_touch BEFORE UPDATE ON communication_settings
    FOR EACH ROW EXECUTE FUNCTION herald_touch_updated_at();

-- One row per user. A user without a row gets the defaults (daily digest at 08:00 UTC, no SMS).
CREATE TABLE notification_preferences (
    user_id          uuid        PRIMARY KEY,
    tenant_id        uuid        NOT NULL,
    email            text
        CONSTRAINT notification_preferences_email_check CHECK (
            char_length(email) <= 254 AND email ~ '^[^@[:space:]<>",;]+@[^@[:space:]<>",;]+$'),
    -- E.164: '+', country code, at most 15 digits in all.
    phone            text
        CONSTRAINT notification_preferences_phone_check CHECK (phone ~ '^\+[1-9][0-9]{1,14}$'),
    sms_enabled      boolean     NOT NULL DEFAULT false,
    -- never: no email notifications at all (urgent/high still go out); daily/weekly/monthly: the
    -- non-urgent notifications are batched into one digest per period.
    digest_frequency text        NOT NULL DEFAULT 'daily'
        CONSTRAINT notification_preferences_digest_frequency_check CHECK (digest_frequency IN ('never', 'daily', 'weekly', 'monthly')),
    -- Digest periods and the digest hour are in this zone.
    time_zone        text        NOT NULL DEFAULT 'UTC'
        CONSTRAINT notification_preferences_time_zone_check CHECK (herald_is_valid_time_zone(time_zone)),
    -- Local hour at which the digest is sent.
    digest_hour      smallint    NOT NULL DEFAULT 8
        CONSTRAINT notification_preferences_digest_hour_check CHECK (digest_hour BETWEEN 0 AND 23),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE notification_preferences IS 'Per-user delivery preferences: digest_frequency (never/daily/weekly/monthly), time_zone, digest_hour, E.164 phone and sms_enabled.';

CREATE INDEX notification_preferences_tenant_idx ON notification_preferences (tenant_id);
-- The digest scheduler walks users by frequency.
CREATE INDEX notification_preferences_digest_idx ON notification_preferences (digest_frequency, digest_hour) WHERE digest_frequency <> 'never';

CREATE TRIGGER notification_preferences_touch BEFORE UPDATE ON notification_preferences
    FOR EACH ROW EXECUTE FUNCTION herald_touch_updated_at();
