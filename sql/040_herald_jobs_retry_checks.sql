-- Admin retries refuse nonsense and lock rows in one order (issue 11).
--
-- extra_attempts below 1 used to be taken as 1 without a word; now it is an error that says so.
-- herald_retry_failed_jobs locks the rows it re-queues in ascending id, the order every
-- multi-row update of herald_jobs uses, so two of them (or one and a worker) cannot deadlock.

CREATE OR REPLACE FUNCTION herald_retry_job(job_id bigint, extra_attempts integer DEFAULT 1) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    retried boolean;
BEGIN
    IF extra_attempts IS NULL OR extra_attempts < 1 THEN
        RAISE EXCEPTION 'extra_attempts must be at least 1 (got %)', extra_attempts USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH r AS (
        UPDATE herald_jobs
           SET state = 'available', run_at = now(), finished_at = NULL,
               max_attempts = greatest(max_attempts, attempt + extra_attempts)
         WHERE id = job_id AND state IN ('failed', 'cancelled', 'retryable', 'scheduled')
        RETURNING 1)
    SELECT count(*) > 0 INTO retried FROM r;
    RETURN retried;
END
$$;

CREATE OR REPLACE FUNCTION herald_retry_failed_jobs(
    job_kind text DEFAULT NULL, since timestamptz DEFAULT '-infinity', until timestamptz DEFAULT 'infinity',
    extra_attempts integer DEFAULT 1
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    retried bigint;
BEGIN
    IF extra_attempts IS NULL OR extra_attempts < 1 THEN
        RAISE EXCEPTION 'extra_attempts must be at least 1 (got %)', extra_attempts USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH l AS (
        SELECT id FROM herald_jobs
         WHERE state = 'failed'
           AND (job_kind IS NULL OR kind = job_kind)
           AND finished_at >= since AND finished_at < until
         ORDER BY id FOR UPDATE),
    r AS (
        UPDATE herald_jobs j
           SET state = 'available', run_at = now(), finished_at = NULL,
               max_attempts = greatest(j.max_attempts, j.attempt + extra_attempts)
          FROM l
         WHERE j.id = l.id AND j.state = 'failed'
        RETURNING 1)
    SELECT count(*) INTO retried FROM r;
    RETURN retried;
END
$$;
