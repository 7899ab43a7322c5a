-- The queue owns herald_jobs (issue 12): every job Herald or its producers insert goes through
-- herald_enqueue_many, so there is one rule for unique keys. herald_enqueue (002), the
-- notifications and discussion messages insert triggers (012, 013) and Herald's Swift code
-- (JobQueue) all call it; earlier migrations spelled the rule in each of them.
--
-- The rule: at most one live job (available, scheduled, running, retryable) per unique_key. An
-- insert whose key a live job holds is skipped; a key whose jobs all finished (completed,
-- failed, cancelled) is free again. The ON CONFLICT predicate below must match the one of
-- herald_jobs_unique_key_idx (002) word for word, or PostgreSQL finds no index to arbitrate on.

-- Inserts one job per element of `kinds` (the other arrays are read in step; a NULL array or
-- element takes the column's default: args '{}', priority 2, run_at now(), no unique key, 20
-- attempts, queue 'default'). A job due later is 'scheduled', otherwise 'available'. Returns
-- the ids of the jobs it inserted: a job skipped for its unique key returns nothing.
-- Set-based, so a trigger enqueues the jobs of a 100,000-row INSERT in one statement.
CREATE FUNCTION herald_enqueue_many(
    kinds        text[],
    args         jsonb[]       DEFAULT NULL,
    priorities   integer[]     DEFAULT NULL,
    run_ats      timestamptz[] DEFAULT NULL,
    unique_keys  text[]        DEFAULT NULL,
    max_attempts integer[]     DEFAULT NULL,
    queues       text[]        DEFAULT NULL
) RETURNS SETOF bigint LANGUAGE sql AS $$
    INSERT INTO herald_jobs AS j (kind, args, priority, run_at, unique_key, max_attempts, queue, state)
    SELECT t.kind, coalesce(t.args, '{}'), coalesce(t.priority, 2), coalesce(t.run_at, now()), t.unique_key,
           coalesce(t.max_attempts, 20), coalesce(t.queue, 'default'),
           CASE WHEN t.run_at > now() THEN 'scheduled' ELSE 'available' END
      FROM unnest(herald_enqueue_many.kinds, herald_enqueue_many.args, herald_enqueue_many.priorities,
                  herald_enqueue_many.run_ats, herald_enqueue_many.unique_keys, herald_enqueue_many.max_attempts,
                  herald_enqueue_many.queues) AS t(kind, args, priority, run_at, unique_key, max_attempts, queue)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')
    DO NOTHING
    RETURNING j.id
$$;

COMMENT ON FUNCTION herald_enqueue_many(text[], jsonb[], integer[], timestamptz[], text[], integer[], text[]) IS
    'Insert jobs (one per element of kinds, the other arrays in step), skipping those whose unique_key a live job holds; returns the ids inserted. The one insert path of herald_jobs.';

-- Same signature and meaning as in 002 (the main application calls it): the id of the new job,
-- or of the live job that already holds unique_key.
CREATE OR REPLACE FUNCTION herald_enqueue(
    kind         text,
    args         jsonb       DEFAULT '{}',
    priority     integer     DEFAULT 2,
    run_at       timestamptz DEFAULT now(),
    unique_key   text        DEFAULT NULL,
    max_attempts integer     DEFAULT 20,
    queue        text        DEFAULT 'default'
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    SELECT id INTO new_id
      FROM herald_enqueue_many(ARRAY[herald_enqueue.kind], ARRAY[herald_enqueue.args], ARRAY[herald_enqueue.priority],
                               ARRAY[herald_enqueue.run_at], ARRAY[herald_enqueue.unique_key],
                               ARRAY[herald_enqueue.max_attempts], ARRAY[herald_enqueue.queue]) AS id;
    IF new_id IS NULL THEN
        -- Skipped: the live job holding the key (the states of herald_jobs_unique_key_idx).
        SELECT j.id INTO new_id FROM herald_jobs j
         WHERE j.unique_key = herald_enqueue.unique_key AND j.state IN ('available', 'scheduled', 'running', 'retryable');
    END IF;
    RETURN new_id;
END
$$;

-- The producer triggers of 012 and 013, now enqueueing through herald_enqueue_many: still one
-- statement per producer statement, however many rows it inserted.
CREATE OR REPLACE FUNCTION herald_notifications_enqueue_route() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count(*)
       FROM (SELECT array_agg('notification.route'::text) AS kinds,
                    array_agg(jsonb_build_object('notification_id', n.id)) AS args,
                    array_agg(herald_notification_job_priority(n.priority)::integer) AS priorities,
                    array_agg('notification.route:' || n.id) AS unique_keys
               FROM new_rows n
              WHERE n.routed_at IS NULL) r,
            herald_enqueue_many(r.kinds, r.args, r.priorities, unique_keys => r.unique_keys);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION herald_messages_enqueue_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count(*)
       FROM (SELECT array_agg('message.fanout'::text) AS kinds,
                    array_agg(jsonb_build_object('message_id', m.id)) AS args,
                    array_agg(1) AS priorities,
                    array_agg('message.fanout:' || m.id) AS unique_keys
               FROM new_rows m
               JOIN communication_threads t ON t.id = m.thread_id
               JOIN communication_settings s ON s.tenant_id = t.tenant_id
              WHERE m.source = 'app' AND s.email_integration_enabled) r,
            herald_enqueue_many(r.kinds, r.args, r.priorities, unique_keys => r.unique_keys);
    RETURN NULL;
END
$$;
