-- E-mail unique per tenant, case-insensitively, as on Postgres (001_users.sql there): an index
-- on lower(email) instead of a stored lower-case copy. Addresses are ASCII (the schema's email
-- check), so SQLite's lower() and the copy's toLowerCase() agree on every stored row.
DROP INDEX IF EXISTS users_email;
CREATE UNIQUE INDEX users_email ON users (tenant_id, lower(email));
ALTER TABLE users DROP COLUMN email_key;
