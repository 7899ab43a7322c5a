-- Re-queue failed jobs. A DRY RUN unless you pass -v apply=1: it shows what would be re-queued,
-- does it inside a transaction, and rolls back.
--
--   psql "$HERALD_DATABASE_URL" -v kind=notification.route -v hours=2 -f sql/admin/retry_failed.sql
--   psql "$HERALD_DATABASE_URL" -v kind=notification.route -v hours=2 -v apply=1 -f sql/admin/retry_failed.sql
--
-- Variables: kind (default: every kind), hours (jobs that failed within this many hours, default
-- 24), extra (attempts granted beyond those used, default 1), apply (1 to commit).
--
-- What it means for attempts: a claim increments `attempt`, and a job fails for good when an
-- attempt fails with attempt >= max_attempts. herald_retry_job (like herald_retry_failed_jobs) sets
-- max_attempts = greatest(max_attempts, attempt + extra), so each job gets exactly `extra` more
-- attempts (with backoff between them). The error history is kept and grows.
--
-- The plain-SQL equivalent, granting exactly one more attempt:
--   UPDATE herald_jobs SET state = 'available', run_at = now()
--    WHERE state = 'failed' AND kind = '…' AND finished_at > now() - interval '2 hours';
-- The trigger on herald_jobs NOTIFYs idle workers either way: the jobs start within milliseconds.
--
-- Fix the cause first (credentials, a template, the provider's status page): jobs that failed on a
-- permanent error (invalid address, unsubscribed number) fail again.
\pset null '-'
\set ON_ERROR_STOP on
\if :{?kind}
\else
    \set kind ''
\endif
\if :{?hours}
\else
    \set hours 24
\endif
\if :{?extra}
\else
    \set extra 1
\endif
\if :{?apply}
\else
    \set apply 0
\endif

BEGIN;

\echo '== Failed in the window (kind:' :'kind' ', failed within' :hours 'hours, extra attempts:' :extra ') =='
SELECT kind, count(*) AS jobs, min(finished_at) AS first_failure, max(finished_at) AS last_failure
  FROM herald_failed_jobs
 WHERE (nullif(:'kind', '') IS NULL OR kind = :'kind')
   AND finished_at >= now() - make_interval(hours => :'hours'::int)
 GROUP BY kind
 ORDER BY jobs DESC;

-- A failed job whose unique_key is now held by another live job cannot be made live again (the
-- partial unique index herald_jobs_unique_key_idx refuses it). Such jobs are usually superseded
-- by the live one; they are listed here and left failed.
\echo '== Left failed: a live job holds the same unique_key =='
SELECT f.id, f.kind, j.unique_key, l.id AS live_job, l.state AS live_state
  FROM herald_failed_jobs f
  JOIN herald_jobs j ON j.id = f.id
  JOIN herald_jobs l ON l.unique_key = j.unique_key AND l.state IN ('available', 'scheduled', 'running', 'retryable')
 WHERE (nullif(:'kind', '') IS NULL OR f.kind = :'kind')
   AND f.finished_at >= now() - make_interval(hours => :'hours'::int);

-- herald_retry_job per job rather than one herald_retry_failed_jobs call, so that the jobs above
-- are skipped instead of failing the whole statement; of several failed jobs sharing a
-- unique_key, only the latest is re-queued, for the same reason. Without unique keys in play,
--   SELECT herald_retry_failed_jobs(:'kind', now() - interval '…', 'infinity', :extra);
-- does the same in one call.
\echo '== Re-queued =='
SELECT count(*) FILTER (WHERE herald_retry_job(id, :'extra'::int)) AS requeued
  FROM (SELECT DISTINCT ON (coalesce(j.unique_key, j.id::text)) j.id
          FROM herald_jobs j
         WHERE j.state = 'failed'
           AND (nullif(:'kind', '') IS NULL OR j.kind = :'kind')
           AND j.finished_at >= now() - make_interval(hours => :'hours'::int)
           AND NOT EXISTS (SELECT 1 FROM herald_jobs l
                            WHERE l.unique_key = j.unique_key
                              AND l.state IN ('available', 'scheduled', 'running', 'retryable'))
         ORDER BY coalesce(j.unique_key, j.id::text), j.finished_at DESC) AS candidates;

\if :apply
COMMIT;
\echo 'Committed: the workers are already picking the jobs up (herald jobs stats, or queue_health.sql).'
\else
ROLLBACK;
\echo 'DRY RUN: rolled back. Run again with -v apply=1 to re-queue.'
\endif
