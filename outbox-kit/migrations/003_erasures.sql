-- What each tenant erase removed, who asked and when (GET /admin/erasures/{tenant}). While
-- provisioned_at is null the tenant is erased: its writes answer 410 tenant_erased.
CREATE TABLE IF NOT EXISTS erasures (
  tenant_id      text PRIMARY KEY,
  requested_by   text NOT NULL,
  requested_at   timestamptz NOT NULL,
  finished_at    timestamptz NOT NULL,
  counts         jsonb NOT NULL,
  provisioned_at timestamptz
);
