-- Herald migrations are plain SQL files applied in numeric order, each in one transaction.
-- `herald migrate` records them in herald_schema_migrations; any other migration tool can apply
-- the same files in the same order.
-- pgcrypto: gen_random_bytes for unguessable tokens (gen_random_uuid is built in since PG 13).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
