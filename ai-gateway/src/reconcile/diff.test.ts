import { expect, test } from "bun:test";
import { diffTenant } from "./diff.ts";

test("sorts each entity into missing, stale, orphaned or ahead, and leaves equal ones alone", () => {
  const stored = new Map([
    ["same", 3],
    ["old", 1],
    ["gone", 2],
    ["forged", 9],
  ]);
  const source = [
    { id: "same", version: 3 },
    { id: "old", version: 2 },
    { id: "forged", version: 4 },
    { id: "new", version: 1 },
  ];
  expect(diffTenant(stored, source)).toEqual({
    missing: [{ entityId: "new", stored: 0 }],
    stale: [{ entityId: "old", stored: 1 }],
    orphaned: [{ entityId: "gone", stored: 2 }],
    ahead: [{ entityId: "forged", stored: 9 }],
  });
});
