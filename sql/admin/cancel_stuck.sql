-- Find jobs that are not getting anywhere, and cancel them. A DRY RUN unless you pass -v apply=1.
--
--   psql "$HERALD_DATABASE_URL" -f sql/admin/cancel_stuck.sql                              # look
--   psql "$HERALD_DATABASE_URL" -v kind=digest.build -v older='2 days' -v apply=1 -f sql/admin/cancel_stuck.sql
--
-- Variables: kind (default: every kind), older (an interval: live jobs created before
-- now() - older, default '1 day'), min_attempt (only jobs that have used at least this many
-- attempts, default 0), apply (1 to commit).
--
-- "Stuck" here means live (available, scheduled, retryable, running) for longer than it should be:
-- a job retrying for a day against an address that will never work, an old job of a kind no
-- worker handles any more, a backlog that is no longer worth sending. herald_cancel_job moves
-- each to 'cancelled' (pruned after HERALD_RETENTION_HOURS). A running job's worker finishes its
-- current attempt, but its outcome is discarded. A cancelled job can be revived with
-- herald_retry_job(id).
--
-- Before cancelling, rule out an infrastructure cause (queue_health.sql): no leader means
-- scheduled/retryable jobs are never staged and expired leases are never rescued; available jobs
-- waiting long mean no worker works their queue (HERALD_QUEUES) or the workers are saturated.
\pset null '-'
\set ON_ERROR_STOP on
\if :{?kind}
\else
    \set kind ''
\endif
\if :{?older}
\else
    \set older '1 day'
\endif
\if :{?min_attempt}
\else
    \set min_attempt 0
\endif
\if :{?apply}
\else
    \set apply 0
\endif

BEGIN;

\echo '== Live jobs older than' :'older' 'by kind and state =='
SELECT kind, state, count(*) AS jobs, min(created_at) AS oldest, max(attempt) AS max_attempt
  FROM herald_jobs
 WHERE state IN ('available', 'scheduled', 'retryable', 'running')
   AND created_at < now() - :'older'::interval
   AND attempt >= :'min_attempt'::int
   AND (nullif(:'kind', '') IS NULL OR kind = :'kind')
 GROUP BY kind, state
 ORDER BY jobs DESC;

\echo '== The 25 oldest of them, with their last error =='
SELECT id, kind, state, attempt || '/' || max_attempts AS attempts, created_at, run_at, locked_by,
       left(errors -> -1 ->> 'error', 100) AS last_error
  FROM herald_jobs
 WHERE state IN ('available', 'scheduled', 'retryable', 'running')
   AND created_at < now() - :'older'::interval
   AND attempt >= :'min_attempt'::int
   AND (nullif(:'kind', '') IS NULL OR kind = :'kind')
 ORDER BY created_at
 LIMIT 25;

\echo '== Cancelled =='
SELECT count(*) FILTER (WHERE herald_cancel_job(id)) AS cancelled
  FROM (SELECT id FROM herald_jobs
         WHERE state IN ('available', 'scheduled', 'retryable', 'running')
           AND created_at < now() - :'older'::interval
           AND attempt >= :'min_attempt'::int
           AND (nullif(:'kind', '') IS NULL OR kind = :'kind')
         ORDER BY id
           FOR UPDATE SKIP LOCKED) AS stuck;

\if :apply
COMMIT;
\echo 'Committed.'
\else
ROLLBACK;
\echo 'DRY RUN: rolled back. Run again with -v apply=1 to cancel.'
\endif
