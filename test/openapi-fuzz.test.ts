// Fuzzes both services against their own /openapi.json with Schemathesis, every check on: a
// request the document allows must be accepted, one it forbids refused, and every answer (status,
// content type, headers, body) must be one the document lists. Real processes, embedded mode.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  type ServiceProcess,
  startService,
  waitReady,
} from "../scripts/lib/service-process.ts";
import { ensureSchemathesis, SCHEMATHESIS_VERSION } from "../scripts/schemathesis.ts";

const TOKEN = "tenant-a:user-1";
const INGEST_TOKEN = "fuzz-ingest-token";
/** Test cases per operation and phase: enough to hit every rule, a few seconds per service. */
const MAX_EXAMPLES = 25;

const HEADERS = `headers = { Authorization = "Bearer ${TOKEN}" }\n`;

// What a schema cannot say, told to the fuzzer instead (each is documented behaviour):
// - an Idempotency-Key already used with another body is answered 422, however valid the request;
// - a replayed create answers the first 201 again, even when that user was deleted since, so
//   the user it names may be gone (the check looks at the GET, PATCH or DELETE that follows).
const CONFIG = {
  "user-service": `${HEADERS}
[[operations]]
include-path-regex = "^/users(/create)?$"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-path = "/users/{id}"
checks.ensure_resource_availability.enabled = false
`,
  // An assignee must be a user of the caller's tenant, which no schema can say: a well-formed
  // id of nobody is a 400 naming it.
  "task-service": `${HEADERS}
[[operations]]
include-path-regex = "^/tasks(/[^/]+)?$"
include-method-regex = "^(POST|PATCH)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "422", "429", "5xx"]

[[operations]]
include-path-regex = "^/tasks/[^/]+"
checks.ensure_resource_availability.enabled = false
`,
  // The ingest endpoint takes the producers' token, not a caller's. An `after` token must carry
  // the mesh's signature (MESH_TOKEN_KEYS), which no schema can say: a well-formed token nobody
  // signed is a 400 naming `after`. Which fields a search can filter on depends on its `type`
  // (tasks: status, assignee; users: none): a well-formed filter on a field the type does not
  // declare is a 400 naming it.
  "ai-gateway": `${HEADERS}
[[operations]]
include-path = "/events"
headers = { Authorization = "Bearer ${INGEST_TOKEN}" }
[[operations]]
include-path = "/search"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
`,
};

const schemathesis = ensureSchemathesis();
const work = mkdtempSync(join(tmpdir(), "openapi-fuzz-"));
const running: ServiceProcess[] = [];
const logs: string[] = [];

function start(name: "user-service" | "task-service" | "ai-gateway", env: Record<string, string>) {
  const service = startService({
    name,
    port: freePort(),
    env: {
      DATA_DIR: join(work, name),
      AUTH_MODE: "dev",
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      INGEST_TOKEN,
      ...env,
    },
    log: (line) => logs.push(`${name}: ${line}`),
  });
  running.push(service);
  return service;
}

/** Runs Schemathesis against `service`; resolves with its exit code and output. */
async function fuzz(name: keyof typeof CONFIG, service: ServiceProcess) {
  if (!schemathesis.ok) throw new Error(schemathesis.reason);
  const config = join(work, `${name}.toml`);
  writeFileSync(config, CONFIG[name]);
  const proc = Bun.spawn(
    [
      schemathesis.st,
      "--config-file",
      config,
      "--no-color",
      "run",
      `${service.url}/openapi.json`,
      // Every check is on by default; not `--checks all`, which would override the config.
      "--max-examples",
      String(MAX_EXAMPLES),
      "--seed",
      "1",
      "--generation-database",
      "none",
    ],
    { cwd: work, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
  );
  const [output, errors, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: `${output}${errors}` };
}

const suite = schemathesis.ok || process.env.CI === "true" ? describe : describe.skip;
if (!schemathesis.ok && process.env.CI !== "true") {
  console.warn(`skipping the OpenAPI fuzz test: no Schemathesis (${schemathesis.reason})`);
}

suite(`Schemathesis ${SCHEMATHESIS_VERSION} against /openapi.json, every check`, () => {
  let gateway: ServiceProcess;
  let users: ServiceProcess;
  let tasks: ServiceProcess;

  beforeAll(async () => {
    gateway = start("ai-gateway", {});
    await waitReady(gateway);
    users = start("user-service", { GATEWAY_URL: gateway.url });
    await waitReady(users);
    tasks = start("task-service", { GATEWAY_URL: gateway.url, USER_SERVICE_URL: users.url });
    await waitReady(tasks);
  });

  afterAll(async () => {
    for (const service of running.splice(0)) await service.stop(5_000);
    rmSync(work, { recursive: true, force: true });
  });

  for (const name of ["user-service", "task-service", "ai-gateway"] as const) {
    test(`${name}: no failure`, async () => {
      const target = { "ai-gateway": gateway, "user-service": users, "task-service": tasks };
      const { code, output } = await fuzz(name, target[name]);
      if (code !== 0) console.error(`${output}\n${logs.join("\n")}`);
      // The summary: "N generated, N passed, N skipped", with "N found N unique failures" if any.
      expect(output).toMatch(/\d+ generated, \d+ passed/);
      expect(output).not.toMatch(/\d+ failures? in/);
      expect(code).toBe(0);
    }, 120_000);
  }
});
