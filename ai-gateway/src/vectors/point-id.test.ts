import { expect, test } from "bun:test";
import { pointId, uuidV5 } from "./point-id.ts";

test("uuidV5 matches the RFC 9562 example (DNS namespace, www.example.com)", () => {
  expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
});

test("the same entity always gets the same point id, other tenants another", () => {
  const a = pointId("users", "tenant-a", "123");
  expect(pointId("users", "tenant-a", "123")).toBe(a);
  expect(pointId("users", "tenant-b", "123")).not.toBe(a);
  expect(pointId("tasks", "tenant-a", "123")).not.toBe(a);
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
