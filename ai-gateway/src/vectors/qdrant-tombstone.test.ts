import { expect, test } from "bun:test";
import { pointId } from "./point-id.ts";
import { tombstoneVector } from "./qdrant-tombstone.ts";

test("a tombstone's vector is the same on every gateway, differs per point, and is not zero", () => {
  const a = pointId("users", "tenant-a", "1");
  const b = pointId("users", "tenant-a", "2");
  expect(tombstoneVector(a, 384)).toEqual(tombstoneVector(a, 384));
  expect(tombstoneVector(a, 384)).not.toEqual(tombstoneVector(b, 384));
  const vector = tombstoneVector(a, 384);
  expect(vector).toHaveLength(384);
  expect(vector.every((x) => x >= -1 && x < 1)).toBe(true);
  expect(vector.some((x) => x !== 0)).toBe(true);
});
