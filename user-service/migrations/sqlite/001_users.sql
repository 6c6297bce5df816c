-- Users and tenants of user-service's SQLite file, as first written (002 changes the
-- e-mail key). IF NOT EXISTS: a file made before these migrations finds them in place.
CREATE TABLE IF NOT EXISTS users (
  tenant_id  TEXT NOT NULL,
  id         TEXT NOT NULL,
  email      TEXT NOT NULL,
  email_key  TEXT NOT NULL,
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version    INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (tenant_id, email_key);
CREATE TABLE IF NOT EXISTS tenants (
  tenant_id  TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
