-- Remembered answers to Idempotency-Key (24 h), for any producer's creates. IF NOT EXISTS:
-- user-service's own first migration created the same table before it moved here.
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id  text NOT NULL,
  key        text NOT NULL,
  hash       text NOT NULL,
  status     integer NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (created_at);

-- Readiness writes here: a store that cannot take a write is not ready.
CREATE TABLE IF NOT EXISTS probe (id integer PRIMARY KEY CHECK (id = 1), at timestamptz NOT NULL);
