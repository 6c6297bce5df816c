-- A task is stored as the JSON the API returns: nothing queries inside it, and the key columns
-- beside it are all the store filters and orders by.
-- IF NOT EXISTS: a file made before these migrations finds it in place.
CREATE TABLE IF NOT EXISTS tasks (
  tenant_id TEXT NOT NULL,
  id        TEXT NOT NULL,
  task      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
