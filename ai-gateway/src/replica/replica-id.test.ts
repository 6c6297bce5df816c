import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gatewayGroups, replicaId } from "./replica-id.ts";

test("the replica id is made once and kept in the file; another file gets another", () => {
  const dir = mkdtempSync(join(tmpdir(), "replica-"));
  const first = replicaId(new Database(join(dir, "a.sqlite")));
  expect(replicaId(new Database(join(dir, "a.sqlite")))).toBe(first);
  expect(replicaId(new Database(join(dir, "b.sqlite")))).not.toBe(first);
});

test("a shared store shares the group; an own store reads in a group per replica", () => {
  expect(gatewayGroups("prod.ai-gateway", "r1", true)).toEqual({
    events: "prod.ai-gateway",
    usage: "prod.ai-gateway.usage.r1",
  });
  expect(gatewayGroups("prod.ai-gateway", "r1", false)).toEqual({
    events: "prod.ai-gateway.r1",
    usage: "prod.ai-gateway.usage.r1",
  });
});
