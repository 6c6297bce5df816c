import { describe, expect, test } from "bun:test";
import { ContractError, makeEvent } from "./envelope.ts";

describe("makeEvent", () => {
  test("fills id, time and version 1 for a new entity", () => {
    const event = makeEvent("tenant.created", {
      tenantId: "acme",
      source: "urn:test",
      data: { tenantId: "acme", name: "Acme" },
    });
    expect(event.version).toBe(1);
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
  });

  test("throws a ContractError naming the invalid field", () => {
    const build = () =>
      makeEvent("user.created", {
        tenantId: "acme",
        source: "urn:test",
        data: { id: "u1", email: "not-an-email", name: "A", tenantId: "acme" },
      });
    expect(build).toThrow(ContractError);
    expect(build).toThrow(/data\.email/);
  });

  test("refuses data whose tenant differs from the event's", () => {
    expect(() =>
      makeEvent("user.deleted", {
        tenantId: "acme",
        source: "s",
        data: { id: 1, tenantId: "other" },
      }),
    ).toThrow(/tenant/);
  });
});
