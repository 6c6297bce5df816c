import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { GenerationTable, physical } from "./table.ts";

const HOUR = 3_600_000;
const states = (table: GenerationTable) => table.all().map((g) => `${g.id}:${g.state}`);

test("generation 1 keeps the plain collection names; later ones get __g<N>", () => {
  expect(physical("users", 1)).toBe("users");
  expect(physical("users", 3)).toBe("users__g3");
});

test("a switch happens once, rollback swaps back, and the kept generation retires after the keep time", () => {
  const table = new GenerationTable(new Database(":memory:"));
  table.ensureCurrent({ embedder: "hashing", dims: 384 }, 0);
  const building = table.begin({ embedder: "hashing", dims: 256 }, 0);
  expect(table.begin({ embedder: "hashing", dims: 256 }).id).toBe(building.id);
  expect(() => table.begin({ embedder: "hashing", dims: 128 })).toThrow(/still building/);

  expect(table.promote(building.id, 1 * HOUR)).toBe(true);
  expect(table.promote(building.id, 1 * HOUR)).toBe(false);
  expect(states(table)).toEqual(["1:previous", "2:current"]);

  expect(table.rollback(2 * HOUR)?.id).toBe(1);
  expect(states(table)).toEqual(["1:current", "2:previous"]);

  expect(table.expire(24 * HOUR, 25 * HOUR)).toEqual([]);
  expect(table.expire(24 * HOUR, 26 * HOUR)).toEqual([2]);
  expect(states(table)).toEqual(["1:current", "2:retired"]);
  expect(table.rollback()).toBeNull();
});
