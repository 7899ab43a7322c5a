-- Admin views and functions for the job queue (see README.md and sql/admin/).

-- Failed jobs (dead letters) with their last error.
CREATE VIEW herald_failed_jobs AS
SELECT id, kind, queue, priority, attempt, max_attempts, args,
       errors -> -1 ->> 'error' AS last_error,
       jsonb_array_length(errors) AS error_count,
       errors, created_at, attempted_at, finished_at
  FROM herald_jobs
 WHERE state = 'failed';

-- Counts per queue and state, with the age of the oldest due job.
CREATE VIEW herald_queue_stats AS
SELECT queue, state, count(*) AS jobs,
       min(run_at) FILTER (WHERE state = 'available') AS oldest_available_run_at,
       extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 'available' AND run_at <= now())) AS max_wait_seconds
  FROM herald_jobs
 GROUP BY queue, state;

-- Retry one failed, cancelled or retryable job now. Gives it `extra_attempts` more attempts
-- beyond those it used. Returns true when the job was re-queued.
CREATE FUNCTION herald_retry_job(job_id bigint, extra_attempts integer DEFAULT 1) RETURNS boolean LANGUAGE sql AS $$
    WITH retried AS (
        UPDATE herald_jobs
           SET state = 'available', run_at = now(), finished_at = NULL,
               max_attempts = greatest(max_attempts, attempt + greatest(extra_attempts, 1))
         WHERE id = job_id AND state IN ('failed', 'cancelled', 'retryable', 'scheduled')
        RETURNING 1)
    SELECT count(*) > 0 FROM retried
$$;

-- Retry every failed job of a kind (optionally only those that failed in [since, until)).
-- Returns how many were re-queued.
CREATE FUNCTION herald_retry_failed_jobs(
    job_kind text DEFAULT NULL, since timestamptz DEFAULT '-infinity', until timestamptz DEFAULT 'infinity',
    extra_attempts integer DEFAULT 1
) RETURNS bigint LANGUAGE sql AS $$
    WITH retried AS (
        UPDATE herald_jobs
           SET state = 'available', run_at = now(), finished_at = NULL,
               max_attempts = greatest(max_attempts, attempt + greatest(extra_attempts, 1))
         WHERE state = 'failed'
           AND (job_kind IS NULL OR kind = job_kind)
           AND finished_at >= since AND finished_at < until
        RETURNING 1)
    SELECT count(*) FROM retried
$$;

-- Cancel a job that has not finished. A running job's worker finishes its current attempt but
-- its result is discarded. Returns true when the job was cancelled.
CREATE FUNCTION herald_cancel_job(job_id bigint) RETURNS boolean LANGUAGE sql AS $$
    WITH cancelled AS (
        UPDATE herald_jobs
           SET state = 'cancelled', finished_at = now(), locked_by = NULL, lease_expires_at = NULL
         WHERE id = job_id AND state IN ('available', 'scheduled', 'running', 'retryable')
        RETURNING 1)
    SELECT count(*) > 0 FROM cancelled
$$;
