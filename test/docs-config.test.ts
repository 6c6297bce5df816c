// docs/configuration.md's table says what the services read: every variable of the three
// environment schemas has a row, every row names a variable some service reads, and a row's
// default is the schema's (so a changed default cannot leave the page behind).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GatewayEnv } from "../ai-gateway/src/config.ts";
import { TaskServiceEnv } from "../task-service/src/config.ts";
import { UserServiceEnv } from "../user-service/src/config.ts";

type ServiceSchema = typeof GatewayEnv | typeof UserServiceEnv | typeof TaskServiceEnv;

const SCHEMAS: Record<string, ServiceSchema> = {
  "ai-gateway": GatewayEnv,
  "user-service": UserServiceEnv,
  "task-service": TaskServiceEnv,
};

/** Each variable of a service's schema with its default (undefined: none). */
function variables(schema: ServiceSchema): Map<string, string | undefined> {
  const { entries } = schema.pipe[0] as { entries: Record<string, unknown> };
  return new Map(
    Object.entries(entries).map(([name, entry]) => {
      const fallback = (entry as { default?: unknown }).default;
      return [name, fallback === undefined ? undefined : String(fallback)];
    }),
  );
}

/** The table's rows: the variables each names (first cell) and its default cell. */
function rows(): { names: string[]; fallback: string }[] {
  const text = readFileSync(join(import.meta.dir, "..", "docs", "configuration.md"), "utf8");
  const table = text.slice(
    text.indexOf("| variable"),
    text.indexOf("\n\n", text.indexOf("| variable")),
  );
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line.split("|").map((cell) => cell.trim());
      const names = [...(cells[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? "");
      return { names, fallback: cells[3] ?? "" };
    });
}

test("every variable the services read has a row in docs/configuration.md", () => {
  const documented = new Set(rows().flatMap((row) => row.names));
  const missing = Object.entries(SCHEMAS).flatMap(([service, schema]) =>
    [...variables(schema).keys()]
      .filter((name) => !documented.has(name))
      .map((name) => `${service}: ${name}`),
  );
  expect(missing).toEqual([]);
});

test("every row of docs/configuration.md names a variable a service reads", () => {
  const read = new Set(Object.values(SCHEMAS).flatMap((schema) => [...variables(schema).keys()]));
  const unknown = rows()
    .flatMap((row) => row.names)
    .filter((name) => !read.has(name));
  expect(unknown).toEqual([]);
});

test("each row's default is the schema's", () => {
  const wrong: string[] = [];
  for (const { names, fallback } of rows())
    for (const name of names)
      for (const [service, schema] of Object.entries(SCHEMAS)) {
        const value = variables(schema).get(name);
        if (value === undefined || value === "") continue;
        if (!fallback.includes(`\`${value}\``)) wrong.push(`${name} (${service}): ${value}`);
      }
  expect(wrong).toEqual([]);
});
