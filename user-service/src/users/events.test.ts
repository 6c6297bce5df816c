import { expect, test } from "bun:test";
import { fromStructured, toStructured } from "@event-mesh/contracts";
import type { User } from "../store/index.ts";
import { SOURCE, userChanged, userDeleted } from "./events.ts";

const user: User = {
  id: Bun.randomUUIDv7(),
  tenantId: "tenant-a",
  email: "alice@tenant-a.dev",
  name: "Alice A",
  createdAt: "2026-11-27T08:00:00.000Z",
  updatedAt: "2026-11-27T08:05:00.000Z",
  version: 3,
};

test("builds events that pass the contract's checks and decode to themselves", () => {
  const events = [
    userChanged("user.created", user),
    userChanged("user.updated", user),
    userDeleted(user, "2026-11-27T08:06:00.000Z"),
  ];
  for (const event of events) {
    // fromStructured checks every field with the contract's schemas, as makeEvent does.
    const decoded = fromStructured(JSON.parse(JSON.stringify(toStructured(event))));
    expect(decoded).toEqual({ ok: true, event });
  }
  expect(events.map((event) => [event.type, event.version, event.source])).toEqual([
    ["user.created", 3, SOURCE],
    ["user.updated", 3, SOURCE],
    ["user.deleted", 4, SOURCE],
  ]);
  expect(events[2]?.data).toEqual({ id: user.id, tenantId: "tenant-a" });
});
