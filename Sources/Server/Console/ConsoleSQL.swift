import Queue

/// The console's SQL. Every statement is a constant (or assembled from constant fragments) with
/// `$n` parameters; none counts over the whole of `herald_jobs`: each reads an index range
/// (partial indexes of the live states, `herald_jobs_finished_idx` for the last hour, the
/// primary key for the newest jobs). See docs/console.md, "Speed".
enum ConsoleSQL {
    /// `to_char(<expression> AT TIME ZONE 'UTC', …)` as `alias`.
    static func time(_ expression: String, _ alias: String) -> String {
        "to_char(\(expression) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS \"\(alias)\""
    }

    /// The most jobs of one state the overview counts on each refresh.
    static let countCap = 100_000

    /// Jobs per queue and state, for the states an operator watches: one branch per partial index
    /// (claim, due, lease, finished), each capped at `$1` rows.
    static let liveCounts = """
        SELECT queue, state, count(*)::bigint AS n FROM (
            (SELECT queue, 'available'::text AS state FROM herald_jobs WHERE state = 'available' LIMIT $1)
            UNION ALL (SELECT queue, state FROM herald_jobs WHERE state IN ('scheduled', 'retryable') LIMIT $1)
            UNION ALL (SELECT queue, 'running' FROM herald_jobs WHERE state = 'running' LIMIT $1)
            UNION ALL (SELECT queue, 'failed' FROM herald_jobs WHERE state = 'failed' LIMIT $1)) j
         GROUP BY queue, state
        """

    /// Completed and failed jobs per minute since `$1` (epoch seconds of a minute; the chart cache
    /// asks only for the minutes it lacks): an index-only range of `herald_jobs_finished_idx
    /// (state, finished_at)` (no per-queue split, which would read every row from the table).
    static let lastHour = """
        SELECT extract(epoch FROM m)::bigint AS minute, state, n FROM (
            SELECT date_trunc('minute', finished_at) AS m, state, count(*)::bigint AS n
              FROM herald_jobs
             WHERE state IN ('completed', 'failed') AND finished_at >= to_timestamp($1)
             GROUP BY 1, 2) per_minute
        """

    static let now = """
        SELECT extract(epoch FROM date_trunc('minute', now()))::bigint AS minute,
               to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS now
        """

    /// The oldest available job of every queue: a loose index scan of `herald_jobs_claim_idx`
    /// (queue, priority, run_at, id) for the queues, then its first entry per priority.
    static let oldestWaiting = """
        WITH RECURSIVE queues AS (
            (SELECT queue FROM herald_jobs WHERE state = 'available' ORDER BY queue LIMIT 1)
            UNION ALL
            SELECT (SELECT j.queue FROM herald_jobs j WHERE j.state = 'available' AND j.queue > q.queue ORDER BY j.queue LIMIT 1)
              FROM queues q WHERE q.queue IS NOT NULL
        )
        SELECT DISTINCT ON (q.queue) q.queue, j.id, j.kind,
               justify_interval(date_trunc('second', greatest(now() - j.run_at, interval '0')))::text AS wait
          FROM queues q
         CROSS JOIN unnest(ARRAY[0, 1, 2, 3]::smallint[]) AS p(priority)
         CROSS JOIN LATERAL (SELECT id, kind, run_at FROM herald_jobs
                              WHERE state = 'available' AND queue = q.queue AND priority = p.priority
                              ORDER BY run_at, id LIMIT 1) j
         WHERE q.queue IS NOT NULL
         ORDER BY q.queue, j.run_at, j.id
        """

    /// Kinds that failed in the last 24 hours or are waiting to retry, with their latest error
    /// (one pass over those rows: the finished and due partial indexes).
    static let failingKinds = """
        SELECT kind, count(*) FILTER (WHERE state = 'failed')::bigint AS failed,
               count(*) FILTER (WHERE state = 'retryable')::bigint AS retrying,
               \(time("max(at)", "last_at")),
               left((array_agg(error ORDER BY at DESC NULLS LAST))[1], 300) AS last_error
          FROM (SELECT kind, state, coalesce(finished_at, attempted_at) AS at, errors -> -1 ->> 'error' AS error
                  FROM herald_jobs
                 WHERE (state = 'failed' AND finished_at >= now() - interval '24 hours') OR state = 'retryable') f
         GROUP BY kind ORDER BY 2 DESC, 3 DESC, kind LIMIT 20
        """

    /// The maintenance leader: the lease row (migration 060), while it has not expired.
    static let leader = """
        SELECT leader_id AS worker, \(time("elected_at", "since")), \(time("expires_at", "leaseUntil"))
          FROM herald_leader WHERE expires_at > now()
        """

    /// Worker processes: each keeps one connection LISTENing on `herald_jobs`.
    static let listeners = """
        SELECT pid, coalesce(nullif(application_name, ''), '?') AS application,
               coalesce(host(client_addr), 'local socket') AS client, \(time("backend_start", "since")),
               \(time("state_change", "stateChange"))
          FROM pg_stat_activity
         WHERE datname = current_database() AND query ILIKE 'LISTEN%herald_jobs%' AND pid <> pg_backend_pid()
         ORDER BY backend_start
        """

    /// Workers holding running jobs, with their lease (renewed by each worker's heartbeat).
    static let holders = """
        SELECT coalesce(locked_by, '?') AS worker, count(*)::bigint AS running,
               \(time("max(lease_expires_at)", "leaseUntil")), \(time("min(attempted_at)", "oldestStart")),
               CASE WHEN max(lease_expires_at) < now() THEN 'lease-late' ELSE '' END AS "leaseClass"
          FROM herald_jobs WHERE state = 'running'
         GROUP BY locked_by ORDER BY locked_by
        """

    /// The columns of the job list.
    static let jobColumns = """
        SELECT id, state, kind, queue, priority, attempt, max_attempts,
               \(time("created_at", "created")), \(time("run_at", "run_at")), \(time("finished_at", "finished")),
               left(errors -> -1 ->> 'error', 200) AS last_error
          FROM herald_jobs
        """

    /// One job.
    static let job = """
        SELECT id, state, kind, queue, priority, attempt, max_attempts, unique_key, locked_by,
               jsonb_pretty(args) AS args, jsonb_array_length(errors) AS "errorCount",
               \(time("created_at", "created")), \(time("run_at", "run_at")), \(time("attempted_at", "attempted")),
               \(time("finished_at", "finished")), \(time("lease_expires_at", "lease")),
               justify_interval(date_trunc('second', attempted_at - created_at))::text AS waited,
               justify_interval(date_trunc('millisecond', finished_at - created_at))::text AS total,
               CASE WHEN state IN ('failed', 'cancelled', 'retryable', 'scheduled') THEN 'yes' END AS "canRetry",
               CASE WHEN state IN \(JobState.liveSQLList) THEN 'yes' END AS "canCancel",
               CASE WHEN state IN ('completed', 'failed', 'cancelled') THEN 'yes' END AS final
          FROM herald_jobs WHERE id = $1
        """

    /// A job's error history, newest first.
    static let jobErrors = """
        SELECT e ->> 'attempt' AS attempt, e ->> 'at' AS at, e ->> 'worker' AS worker, e ->> 'error' AS error
          FROM herald_jobs, jsonb_array_elements(errors) WITH ORDINALITY AS x(e, n)
         WHERE id = $1 ORDER BY n DESC
        """

    /// How many failed jobs of kind `$1` finished in [`$2`, `$3`): what `herald_retry_failed_jobs` would touch.
    static let countFailed = """
        SELECT count(*)::bigint AS n FROM herald_jobs
         WHERE state = 'failed' AND kind = $1 AND finished_at >= $2 AND finished_at < $3
        """
}
