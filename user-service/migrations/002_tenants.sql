-- Tenants provisioned by an operator (POST /admin/tenants); each writes tenant.created.
CREATE TABLE IF NOT EXISTS tenants (
  tenant_id  text PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
