// A backtracking pattern (the old `Name`) held the event loop for a
// quarter second per 16 KiB request and about a minute per 256 KiB event. This file proves
// every pattern linear twice: a ReDoS checker on each one (collected from the schemas and the
// sources, so a new one is checked too), and every field of every event and route schema run
// on 256 KiB worst cases. Nothing here measures time: a quadratic pattern takes minutes on
// these inputs and the test times out.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check } from "recheck";
import { testGateway } from "../ai-gateway/test/app-fixture.ts";
import {
  ContextAttributes,
  decode,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  fromStructured,
  type KafkaMessageInput,
  toStructured,
} from "../contracts/src/index.ts";
import { createLogger, createMetrics, routeSchemas } from "../service-kit/src/index.ts";
import { createApp as createUserService } from "../user-service/src/app.ts";
import { SqliteUserStore } from "../user-service/src/store/sqlite.ts";
import { regexLiterals } from "./regex-literals.ts";
import { leafFields, regexesIn, WORST_CASES, withField } from "./schema-walk.ts";

// recheck's default backend runs a native binary or a JVM; the Scala.js one runs in Bun as is.
process.env.RECHECK_BACKEND = "pure";

const ROOT = join(import.meta.dir, "..");
const logger = createLogger({ name: "patterns", level: "silent" });

const dir = mkdtempSync(join(tmpdir(), "patterns-"));
const users = new SqliteUserStore(join(dir, "users.sqlite"));
afterAll(() => {
  users.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Both services' apps as main.ts builds them (handlers never run here). */
async function apps() {
  const userService = createUserService({
    store: users,
    sink: { name: "test", probe: async () => {} },
    logger,
    metrics: createMetrics({ namespace: "user_service" }),
    auth: { mode: "dev" },
  });
  const gateway = await testGateway();
  return { "user-service": userService, "ai-gateway": gateway.app };
}

const routes = Object.entries(await apps()).flatMap(([service, app]) =>
  routeSchemas(app).map((route) => ({
    ...route,
    name: `${service} ${route.method} ${route.path} ${route.target}`,
  })),
);

/** Every pattern that reads outside data: inside the schemas, and literal in the sources. */
async function allPatterns(): Promise<Map<string, { regex: RegExp; where: string }>> {
  const found = new Map<string, { regex: RegExp; where: string }>();
  const add = (regex: RegExp, where: string) => {
    if (!found.has(String(regex))) found.set(String(regex), { regex, where });
  };
  for (const type of EVENT_TYPES) for (const r of regexesIn(EVENT_SCHEMAS[type])) add(r, type);
  for (const r of regexesIn(ContextAttributes)) add(r, "CloudEvents attributes");
  for (const route of routes) for (const r of regexesIn(route.schema)) add(r, route.name);
  const sources = [
    "contracts/src",
    "service-kit/src",
    "kafka-kit/src",
    "user-service/src",
    "ai-gateway/src",
  ];
  for (const { regex, file } of await regexLiterals(ROOT, sources)) add(regex, file);
  return found;
}

const patterns = await allPatterns();

describe("every pattern is linear (recheck ReDoS checker)", () => {
  test("the checker runs here and catches the old name pattern", async () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the old pattern, verbatim.
    const old = /^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$/;
    const result = await check(old.source, old.flags);
    expect(result.status).toBe("vulnerable");
  });

  test("the collection found the schemas' patterns and the sources' literals", () => {
    const wheres = [...patterns.values()].map((pattern) => pattern.where);
    expect(wheres).toContain("user.created");
    expect(wheres.some((where) => where.startsWith("user-service GET /users query"))).toBe(true);
    expect(wheres).toContain("service-kit/src/auth.ts");
    expect(patterns.size).toBeGreaterThan(10);
  });

  for (const [text, { regex, where }] of patterns) {
    test(`${text} (${where})`, async () => {
      const result = await check(regex.source, regex.flags, { timeout: 30_000 });
      const attack = result.status === "vulnerable" ? result.attack.pattern : "";
      expect({ status: result.status, attack }).toEqual({ status: "safe", attack: "" });
    });
  }
});

// The test bodies below are synchronous on purpose: Bun times out a test whose synchronous
// work overruns only if that work is not preceded by an await.

/** A valid event of each type, from the golden fixtures, as a structured CloudEvent. */
const fixtures = await Promise.all(
  EVENT_TYPES.map(async (type) => {
    const file = join(ROOT, "contracts", "fixtures", "valid", `${type}.json`);
    const fixture: { message: KafkaMessageInput } = await Bun.file(file).json();
    const decoded = decode(fixture.message);
    if (!decoded.ok) throw new Error(`fixture ${type} does not decode`);
    return { type, structured: toStructured(decoded.event) };
  }),
);

describe("every field of every event refuses a 256 KiB worst case", () => {
  for (const { type, structured } of fixtures) {
    const data = leafFields(EVENT_SCHEMAS[type]).map((field) => ({ ...field, at: "data" }));
    const attributes = leafFields(ContextAttributes).map((field) => ({
      ...field,
      at: "attributes",
    }));
    for (const field of [...data, ...attributes]) {
      const name = `${field.at}.${field.path.join(".")}`;
      test(`${type}: ${name}`, () => {
        for (const [label, value] of Object.entries(WORST_CASES)) {
          const input =
            field.at === "data"
              ? { ...structured, data: withField(structured.data, field.path, value) }
              : withField(structured, field.path, value);
          const result = fromStructured(input);
          expect(result.ok, label).toBe(false);
          // A field that takes any string (only `type`) is refused further on, as unknown_type.
          if (!result.ok && field.constrained) expect(result.error.message, label).toContain(name);
        }
      });
    }
  }
});

describe("every field of every route schema answers a 256 KiB worst case", () => {
  for (const route of routes) {
    for (const field of leafFields(route.schema)) {
      const name = field.path.join(".");
      test(`${route.name}: ${name || "(whole input)"}`, () => {
        for (const [label, value] of Object.entries(WORST_CASES)) {
          const result = route.schema["~standard"].validate(withField({}, field.path, value));
          if (result instanceof Promise) throw new Error(`${route.name}: async schema`);
          const atField = (result.issues ?? []).filter(
            (issue) =>
              (issue.path ?? [])
                .map((segment) => String(typeof segment === "object" ? segment.key : segment))
                .join(".") === name,
          );
          expect(atField.length > 0, label).toBe(field.constrained);
        }
      });
    }
  }
});
