import { afterEach, describe, test } from "bun:test";
import { checkUserFlow } from "./flow.ts";
import { startStack, stopAll } from "./stack.ts";

afterEach(stopAll);

describe("embedded stack (SQLite, sqlite-vec, HTTP delivery)", () => {
  test("users of two tenants become searchable, stay apart, and follow renames and deletes", async () => {
    await checkUserFlow(await startStack());
  });
});
