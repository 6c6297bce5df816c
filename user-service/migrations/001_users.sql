-- Users of every tenant. Ids are UUIDv7 compared bytewise (COLLATE "C"), so id order is
-- creation order and the list cursor is stable, as on SQLite.
CREATE TABLE IF NOT EXISTS users (
  tenant_id  text NOT NULL,
  id         text COLLATE "C" NOT NULL,
  email      text NOT NULL,
  name       text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version    integer NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
-- E-mail unique per tenant, case-insensitively: Alice@X.dev and alice@x.dev are one address.
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (tenant_id, lower(email));

-- Remembered answers to Idempotency-Key, 24 h.
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
