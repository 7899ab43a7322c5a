-- What failed, and why. Read-only.
--
--   psql "$HERALD_DATABASE_URL" -f sql/admin/failed_jobs_report.sql
--   psql "$HERALD_DATABASE_URL" -v hours=6 -v kind=message.fanout -f sql/admin/failed_jobs_report.sql
--   psql "$HERALD_DATABASE_URL" -v id=1234 -f sql/admin/failed_jobs_report.sql   # one job's history
--
-- Variables: hours (look-back window, default 24), kind (default: every kind), id (a job to show
-- in full). Failed jobs are kept until an operator acts; `finished_at` is when the job failed.
-- To re-queue what you see here, use sql/admin/retry_failed.sql.
\pset null '-'
\if :{?hours}
\else
    \set hours 24
\endif
\if :{?kind}
\else
    \set kind ''
\endif

\echo '== Failed jobs by kind (window: last' :hours 'hours) =='
SELECT kind, count(*) AS failed, min(finished_at) AS first_failure, max(finished_at) AS last_failure,
       round(avg(attempt), 1) AS avg_attempts,
       count(*) FILTER (WHERE attempt < max_attempts) AS permanent_errors   -- failed before using every attempt
  FROM herald_failed_jobs
 WHERE finished_at > now() - make_interval(hours => :'hours'::int)
   AND (nullif(:'kind', '') IS NULL OR kind = :'kind')
 GROUP BY kind
 ORDER BY failed DESC;

\echo '== Most common last errors (first 120 characters) =='
SELECT kind, left(last_error, 120) AS last_error, count(*) AS jobs, max(finished_at) AS latest
  FROM herald_failed_jobs
 WHERE finished_at > now() - make_interval(hours => :'hours'::int)
   AND (nullif(:'kind', '') IS NULL OR kind = :'kind')
 GROUP BY kind, left(last_error, 120)
 ORDER BY jobs DESC
 LIMIT 20;

\echo '== Latest 25 failed jobs =='
SELECT id, kind, queue, attempt || '/' || max_attempts AS attempts, finished_at, left(last_error, 100) AS last_error,
       args
  FROM herald_failed_jobs
 WHERE finished_at > now() - make_interval(hours => :'hours'::int)
   AND (nullif(:'kind', '') IS NULL OR kind = :'kind')
 ORDER BY finished_at DESC
 LIMIT 25;

\if :{?id}
\echo '== Job' :id 'with its error history =='
SELECT id, kind, queue, state, priority, attempt, max_attempts, run_at, created_at, attempted_at, finished_at,
       locked_by, unique_key, args
  FROM herald_jobs
 WHERE id = :'id'::bigint;
SELECT (e ->> 'attempt')::int AS attempt, e ->> 'at' AS at, e ->> 'worker' AS worker, e ->> 'error' AS error
  FROM herald_jobs, jsonb_array_elements(errors) AS e
 WHERE id = :'id'::bigint
 ORDER BY (e ->> 'at');
\endif
