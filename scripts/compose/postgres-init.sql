-- Run by the postgres image on its first start (an empty volume): task-service's database
-- beside user-service's `mesh`. Each producer needs a database of its own: its outbox table and
-- its relays' advisory locks are per database. On a volume made before this file existed, run
--   docker compose exec postgres createdb -U mesh tasks
CREATE DATABASE tasks;
