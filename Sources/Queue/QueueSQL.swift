/// Every statement the queue runs, in one place. All are parameterised.
enum QueueSQL {
    static let enqueue = "SELECT herald_enqueue($1, $2::jsonb, $3::int, $4::timestamptz, $5, $6::int, $7) AS id"

    // Every insert goes through herald_enqueue_many (sql/070), as the producer triggers do, so
    // Swift and SQL producers deduplicate unique keys by the same rule.

    /// Inserts the jobs of parallel arrays; answers how many were inserted.
    static let enqueueMany = """
        SELECT count(*) AS inserted
          FROM herald_enqueue_many($1::text[], $2::jsonb[], $3::int[], $4::timestamptz[], $5::text[], $6::int[], $7::text[])
        """

    /// Inserts one job; answers its id, or no row when a live job holds its unique key.
    static let insertOne = """
        SELECT id FROM herald_enqueue_many(ARRAY[$1::text], ARRAY[$2::jsonb], ARRAY[$3::int], ARRAY[$4::timestamptz],
                                           ARRAY[$5::text], ARRAY[$6::int], ARRAY[$7::text]) AS id
        """

    /// Claims jobs just inserted ($1) for attempts made outside a worker ($2 is whoever made
    /// them), exactly as `claim` would, so `complete` and `settle` then record the outcomes. The
    /// rows are uncommitted inserts of this transaction: nobody else can lock them.
    static let claimInserted = """
        UPDATE herald_jobs
           SET state = 'running', attempt = attempt + 1, attempted_at = now(), locked_by = $2,
               lease_expires_at = now() + make_interval(secs => $3::float8)
         WHERE id = ANY($1::bigint[]) AND state IN ('available', 'scheduled')
        """

    static let claim = """
        WITH c AS (
            SELECT id FROM herald_jobs
             WHERE state = 'available' AND queue = $1 AND run_at <= now()
             ORDER BY priority, run_at, id
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
        UPDATE herald_jobs j
           SET state = 'running', attempt = j.attempt + 1, attempted_at = now(), locked_by = $3,
               lease_expires_at = now() + make_interval(secs => $4::float8)
          FROM c
         WHERE j.id = c.id
        RETURNING j.id, j.kind, j.queue, j.priority, j.args, j.attempt, j.max_attempts, j.run_at, j.created_at
        """

    // Lock order: every statement that updates several rows of herald_jobs and may wait for a
    // lock takes its row locks in ascending id (a `SELECT … ORDER BY id FOR UPDATE` in a CTE), or
    // skips locked rows where that is correct (claim, heartbeat, rescue, stage, release, prune).
    // Two statements that lock in the same order cannot deadlock each other.

    /// Locks, in ascending id, the jobs of $1 that worker $2 still runs: the CTE of ``complete`` and
    /// ``settle``, which then update exactly those rows.
    private static let lockRunning = """
        SELECT id FROM herald_jobs
         WHERE id = ANY($1::bigint[]) AND state = 'running' AND locked_by = $2
         ORDER BY id FOR UPDATE
        """

    static let complete = """
        WITH l AS (\(lockRunning))
        UPDATE herald_jobs j
           SET state = 'completed', finished_at = now(), locked_by = NULL, lease_expires_at = NULL
          FROM l
         WHERE j.id = l.id AND j.state = 'running' AND j.locked_by = $2
        """

    /// Non-completion outcomes, in one statement: retry, fail, snooze, cancel, release.
    static let settle = """
        WITH l AS (\(lockRunning))
        UPDATE herald_jobs j
           SET state = CASE o.action
                   WHEN 'retry'   THEN CASE WHEN j.attempt >= j.max_attempts THEN 'failed' ELSE 'retryable' END
                   WHEN 'fail'    THEN 'failed'
                   WHEN 'snooze'  THEN CASE WHEN o.run_at <= now() THEN 'available' ELSE 'scheduled' END
                   WHEN 'cancel'  THEN 'cancelled'
                   ELSE 'available' END,
               attempt = CASE WHEN o.action IN ('snooze', 'release') THEN greatest(j.attempt - 1, 0) ELSE j.attempt END,
               run_at = CASE WHEN o.action IN ('retry', 'snooze') THEN o.run_at
                             WHEN o.action = 'release' THEN now() ELSE j.run_at END,
               errors = CASE WHEN o.action IN ('retry', 'fail', 'cancel') THEN j.errors || jsonb_build_array(jsonb_build_object(
                            'attempt', j.attempt, 'at', now(), 'error', o.error, 'worker', $2::text))
                             ELSE j.errors END,
               finished_at = CASE WHEN o.action IN ('fail', 'cancel') OR (o.action = 'retry' AND j.attempt >= j.max_attempts)
                                  THEN now() ELSE NULL END,
               locked_by = NULL, lease_expires_at = NULL
          FROM unnest($1::bigint[], $3::text[], $4::text[], $5::timestamptz[]) AS o(id, action, error, run_at), l
         WHERE j.id = o.id AND j.id = l.id AND j.state = 'running' AND j.locked_by = $2
        """

    /// Renews the leases of the jobs this worker really holds ($1), not every row under its id:
    /// rows claimed by a statement whose answer never arrived are left to expire. A row locked by
    /// someone else (this worker's own completer, an admin) is skipped rather than waited for;
    /// the next beat, a third of a lease later, renews it.
    static let heartbeat = """
        WITH held AS (
            SELECT id FROM herald_jobs
             WHERE id = ANY($1::bigint[]) AND state = 'running' AND locked_by = $2
             ORDER BY id FOR UPDATE SKIP LOCKED)
        UPDATE herald_jobs j SET lease_expires_at = now() + make_interval(secs => $3::float8)
          FROM held
         WHERE j.id = held.id
        """

    /// Gives back the rows of queue $2 held under this worker's id ($1) that it is not running
    /// ($3 lists those it runs): what a claim committed when its answer was lost. The attempt is
    /// returned, since the job never started.
    static let releaseUnheld = """
        WITH lost AS (
            SELECT id FROM herald_jobs
             WHERE state = 'running' AND locked_by = $1 AND queue = $2 AND NOT (id = ANY($3::bigint[]))
             ORDER BY id FOR UPDATE SKIP LOCKED)
        UPDATE herald_jobs j
           SET state = 'available', attempt = greatest(j.attempt - 1, 0), run_at = now(),
               locked_by = NULL, lease_expires_at = NULL
          FROM lost
         WHERE j.id = lost.id AND j.state = 'running' AND j.locked_by = $1
        RETURNING j.id
        """

    /// Takes back jobs whose lease expired. The error says which worker held the job, when its
    /// lease ran out and for how long nobody renewed it. (The leader waits a grace period after
    /// taking the lead before it rescues anything; see `QueueMaintenance`.)
    static let rescue = """
        UPDATE herald_jobs j
           SET state = CASE WHEN j.attempt >= j.max_attempts THEN 'failed' ELSE 'retryable' END,
               run_at = now(),
               finished_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
               errors = j.errors || jsonb_build_array(jsonb_build_object(
                   'attempt', j.attempt, 'at', now(), 'worker', j.locked_by,
                   'error', format('lease expired: worker %s did not renew it; it ran out at %s and was not renewed for %s s '
                                   '(the worker exited or was killed, or could not reach the database for longer than its lease)',
                                   j.locked_by, j.lease_expires_at, round(extract(epoch FROM now() - j.lease_expires_at)::numeric, 1)))),
               locked_by = NULL, lease_expires_at = NULL
         WHERE j.id IN (SELECT id FROM herald_jobs WHERE state = 'running' AND lease_expires_at < now()
                         ORDER BY lease_expires_at LIMIT 5000 FOR UPDATE SKIP LOCKED)
        """

    static let stage = """
        UPDATE herald_jobs SET state = 'available'
         WHERE id IN (SELECT id FROM herald_jobs WHERE state IN ('scheduled', 'retryable') AND run_at <= now()
                       ORDER BY run_at LIMIT 5000 FOR UPDATE SKIP LOCKED)
        """

    static let prune = """
        DELETE FROM herald_jobs
         WHERE id IN (SELECT id FROM herald_jobs WHERE state = ANY($1::text[])
                         AND finished_at < now() - make_interval(secs => $2::float8)
                       LIMIT 10000 FOR UPDATE SKIP LOCKED)
        """

    static let depth = """
        SELECT queue, state, count(*) AS jobs FROM herald_jobs
         WHERE state IN \(JobState.liveSQLList) GROUP BY queue, state
        """

    static let jobColumns = """
        id, kind, queue, priority, state, args, attempt, max_attempts, run_at, locked_by, lease_expires_at,
        errors, unique_key, created_at, attempted_at, finished_at
        """
}
