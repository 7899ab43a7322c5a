-- Herald migrations are plain SQL files applied in numeric order, each in one transaction.
-- `herald migrate` records them in herald_schema_migrations; any other migration tool can
-- apply the same files in the same order.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
