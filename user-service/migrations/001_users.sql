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

-- The idempotency and probe tables this file first created moved to outbox-kit's
-- 002_idempotency.sql (shared by every producer), which runs before this file on a new database
-- and finds them in place (IF NOT EXISTS) on one this file already migrated.
