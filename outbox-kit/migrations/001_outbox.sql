-- The transactional outbox shared by every relay of a producer. A row's shard is a hash of its
-- partition key (<tenantId>/<entityId>), so all events of one entity share a shard, and the
-- relay holding that shard sends them in seq order.
CREATE TABLE IF NOT EXISTS outbox (
  seq           bigserial PRIMARY KEY,
  shard         smallint NOT NULL,
  partition_key text NOT NULL,
  event         text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS outbox_shard_seq ON outbox (shard, seq);
