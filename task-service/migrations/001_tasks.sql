-- Tasks of every tenant, each stored as the JSON the API returns. Ids are UUIDv7 compared
-- bytewise (COLLATE "C"), so id order is creation order and the list cursor is stable.
CREATE TABLE IF NOT EXISTS tasks (
  tenant_id text NOT NULL,
  id        text COLLATE "C" NOT NULL,
  task      jsonb NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
