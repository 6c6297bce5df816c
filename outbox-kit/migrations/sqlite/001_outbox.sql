-- The tables outbox-kit keeps in a producer's SQLite file, beside the producer's own.
-- IF NOT EXISTS: a file made before these migrations finds them in place.

-- The outbox: events written in the same transaction as the change they describe, sent by
-- the relay in seq order and removed once the sink acknowledged them.
CREATE TABLE IF NOT EXISTS outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  event      TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Remembered answers of requests with an Idempotency-Key (Postgres: 002_idempotency.sql).
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id  TEXT NOT NULL,
  key        TEXT NOT NULL,
  hash       TEXT NOT NULL,
  status     INTEGER NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (created_at);

-- One row rewritten by the readiness probe: a store that cannot take a write is not ready.
CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);

-- Erase records of tenants (Postgres: 003_erasures.sql).
CREATE TABLE IF NOT EXISTS erasures (
  tenant_id      TEXT PRIMARY KEY,
  requested_by   TEXT NOT NULL,
  requested_at   TEXT NOT NULL,
  finished_at    TEXT NOT NULL,
  counts         TEXT NOT NULL,
  provisioned_at TEXT
) WITHOUT ROWID;
