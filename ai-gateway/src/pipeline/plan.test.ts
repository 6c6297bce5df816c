import { describe, expect, test } from "bun:test";
import { makeEvent } from "@event-mesh/contracts";
import { planBatch } from "./plan.ts";

const source = "urn:test";
const user = (id: number, name: string) => ({
  id,
  name,
  email: `u${id}@a.dev`,
  tenantId: "tenant-a",
});

describe("planBatch", () => {
  test("create, update and delete of one user collapse into one delete", () => {
    const plan = planBatch([
      makeEvent("user.created", { tenantId: "tenant-a", source, version: 1, data: user(1, "Ann") }),
      makeEvent("user.updated", {
        tenantId: "tenant-a",
        source,
        version: 2,
        data: user(1, "Anne"),
      }),
      makeEvent("user.deleted", {
        tenantId: "tenant-a",
        source,
        version: 3,
        data: { id: 1, tenantId: "tenant-a" },
      }),
    ]);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: "delete", version: 3, entityId: "1" });
  });

  test("the highest version wins even when it arrives first", () => {
    const plan = planBatch([
      makeEvent("user.updated", { tenantId: "tenant-a", source, version: 5, data: user(2, "New") }),
      makeEvent("user.updated", { tenantId: "tenant-a", source, version: 4, data: user(2, "Old") }),
    ]);
    expect(plan.changes.map((c) => [c.version, c.data.name])).toEqual([[5, "New"]]);
  });

  test("a delete wins over an upsert of the same version", () => {
    const plan = planBatch([
      makeEvent("user.deleted", {
        tenantId: "tenant-a",
        source,
        version: 2,
        data: { id: 3, tenantId: "tenant-a" },
      }),
      makeEvent("user.updated", { tenantId: "tenant-a", source, version: 2, data: user(3, "Zed") }),
    ]);
    expect(plan.changes.map((c) => c.action)).toEqual(["delete"]);
  });

  test("the same id in two tenants is two entities; tasks and tenants are sorted out", () => {
    const plan = planBatch([
      makeEvent("user.created", { tenantId: "tenant-a", source, data: user(1, "Ann") }),
      makeEvent("user.created", {
        tenantId: "tenant-b",
        source,
        data: { ...user(1, "Ann"), tenantId: "tenant-b" },
      }),
      makeEvent("task.created", {
        tenantId: "tenant-a",
        source,
        data: {
          id: "t-1",
          tenantId: "tenant-a",
          title: "Ship it",
          description: "v1",
          status: "open",
        },
      }),
      makeEvent("tenant.created", {
        tenantId: "tenant-c",
        source,
        data: { tenantId: "tenant-c", name: "C" },
      }),
    ]);
    expect(plan.changes.map((c) => `${c.collection}:${c.tenantId}:${c.entityId}`)).toEqual([
      "users:tenant-a:1",
      "users:tenant-b:1",
      "tasks:tenant-a:t-1",
    ]);
    expect(plan.changes[2]?.text).toBe("Ship it\nv1\nopen");
    expect(plan.tenants.map((e) => e.tenantId)).toEqual(["tenant-c"]);
  });

  test("a task update re-indexes the task and a task delete removes it", () => {
    const task = {
      id: "t-9",
      tenantId: "tenant-a",
      title: "Ship",
      description: "",
      status: "open",
    } as const;
    const at = (version: number) => ({ tenantId: "tenant-a", source, version });
    const updated = planBatch([
      makeEvent("task.created", { ...at(1), data: task }),
      makeEvent("task.updated", { ...at(2), data: { ...task, title: "Ship v2", assignee: "u-1" } }),
    ]);
    expect(updated.changes.map((c) => [c.collection, c.action, c.text])).toEqual([
      ["tasks", "upsert", "Ship v2\n\nopen"],
    ]);
    const deleted = planBatch([
      makeEvent("task.updated", { ...at(2), data: task }),
      makeEvent("task.deleted", { ...at(3), data: { id: "t-9", tenantId: "tenant-a" } }),
    ]);
    expect(deleted.changes.map((c) => [c.collection, c.action, c.entityId])).toEqual([
      ["tasks", "delete", "t-9"],
    ]);
    expect(deleted.ignored).toEqual([]);
  });

  test("a tenant's erase drops its earlier changes in the batch, keeps later ones and other tenants'", () => {
    const user = (tenantId: string, id: number) =>
      makeEvent("user.created", {
        tenantId,
        source,
        data: { id, email: `u${id}@x.dev`, name: `U ${id}`, tenantId },
      });
    const plan = planBatch([
      user("tenant-a", 1),
      user("tenant-b", 2),
      makeEvent("tenant.deleted", { tenantId: "tenant-a", source, data: { tenantId: "tenant-a" } }),
      user("tenant-a", 3),
    ]);
    expect(plan.erasures.map((e) => e.tenantId)).toEqual(["tenant-a"]);
    expect(plan.changes.map((c) => `${c.tenantId}:${c.entityId}`)).toEqual([
      "tenant-b:2",
      "tenant-a:3",
    ]);
    expect(plan.ignored).toEqual([]);
  });
});
