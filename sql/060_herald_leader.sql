-- The maintenance leader holds a lease row instead of a session advisory lock (issue 11).
--
-- An advisory lock lives as long as its session. When the leader's network goes silent (a
-- partition, a half-open connection) PostgreSQL keeps the session, and so the lock, until its TCP
-- keepalive gives up: with Linux defaults about two hours with no rescuer, stager, pruner or
-- digests. A lease row expires on the server's clock whatever happens to the network: the leader
-- renews it every third of the lease; any other process takes it once it has expired. The old
-- leader stops acting when it could not renew in time, on its own clock, before the row expires.
--
-- One row at most. Operators read it to see who leads:
--   SELECT leader_id, elected_at, expires_at, expires_at > now() AS live FROM herald_leader;
-- Deleting the row makes the next process to try the leader within a second (safe: the leader
-- notices at its next renewal that it no longer holds the row and stops).
CREATE TABLE herald_leader (
    name        text        PRIMARY KEY DEFAULT 'maintenance' CHECK (name = 'maintenance'),
    leader_id   text        NOT NULL CHECK (leader_id <> ''),
    elected_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

COMMENT ON TABLE herald_leader IS
    'The maintenance leader''s lease (one row). leader_id is the worker id (host:pid:random); the row is renewed every third of HERALD_LEADER_LEASE_SECONDS and taken over by another worker once expires_at has passed.';
