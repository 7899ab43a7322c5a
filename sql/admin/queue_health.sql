-- Queue health at a glance. Read-only: safe to run at any time, as often as you like.
--
--   psql "$HERALD_DATABASE_URL" -f sql/admin/queue_health.sql
--
-- Healthy looks like: a leader is present; no expired leases and nothing overdue in
-- scheduled/retryable (the leader's rescuer and stager clear those every second); max_wait_seconds
-- of 'available' in seconds, not minutes; few or no new failures.
\pset null '-'

\echo '== Jobs per queue and state (herald_queue_stats) =='
SELECT queue, state, jobs, oldest_available_run_at, round(max_wait_seconds::numeric, 1) AS max_wait_seconds
  FROM herald_queue_stats
 ORDER BY queue, array_position(ARRAY['available', 'running', 'retryable', 'scheduled', 'failed', 'cancelled', 'completed'], state);

\echo '== Herald processes connected (pg_stat_activity.application_name) =='
-- Each `herald work` holds its pool connections plus one LISTEN connection (plus the leader's).
SELECT application_name, count(*) AS connections, count(DISTINCT client_addr) AS hosts,
       min(backend_start) AS oldest_connection
  FROM pg_stat_activity
 WHERE datname = current_database() AND application_name LIKE 'herald%'
 GROUP BY application_name
 ORDER BY application_name;

\echo '== Maintenance leader (lease row herald_leader; none live = no rescue, no staging, no pruning) =='
SELECT leader_id, elected_at, expires_at, expires_at > now() AS live
  FROM herald_leader;

\echo '== Signs of trouble (each should be 0) =='
SELECT
    -- Running jobs whose worker stopped heartbeating and that the rescuer has not picked up yet.
    count(*) FILTER (WHERE state = 'running' AND lease_expires_at < now() - interval '5 seconds')   AS expired_leases,
    -- Due scheduled/retryable jobs that the stager has not made available yet.
    count(*) FILTER (WHERE state IN ('scheduled', 'retryable') AND run_at < now() - interval '5 seconds') AS overdue_unstaged,
    -- Available jobs due for over a minute: no worker works their queue, or the workers are saturated.
    count(*) FILTER (WHERE state = 'available' AND run_at < now() - interval '1 minute')            AS waiting_over_1_min,
    -- Dead letters of the last hour.
    count(*) FILTER (WHERE state = 'failed' AND finished_at > now() - interval '1 hour')            AS failed_last_hour
  FROM herald_jobs;

\echo '== Throughput, last 5 minutes (completed jobs are pruned after HERALD_RETENTION_HOURS) =='
SELECT kind,
       count(*) FILTER (WHERE state = 'completed') AS completed,
       count(*) FILTER (WHERE state = 'failed')    AS failed,
       round(count(*) FILTER (WHERE state = 'completed') / 300.0, 1) AS completed_per_s
  FROM herald_jobs
 WHERE finished_at > now() - interval '5 minutes'
 GROUP BY kind
 ORDER BY completed DESC;

\echo '== Table health (a queue table needs autovacuum to keep up) =='
SELECT relname, n_live_tup, n_dead_tup, last_autovacuum, last_autoanalyze,
       pg_size_pretty(pg_total_relation_size(relid)) AS total_size
  FROM pg_stat_user_tables
 WHERE relname = 'herald_jobs';
