// The images without Docker: the Dockerfile's build stage runs here step by step for each service
// (its COPY from the repository, its `bun install`, its pruning to the service's workspace
// packages and of tests) into a temp folder standing for /app. Then
// the folder is checked for what the image would hold, and both services start from it with the
// image's ENV, the gateway first, each answering its /readyz and its HEALTHCHECK command.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type ServiceProcess, waitReady } from "../scripts/lib/service-process.ts";
import { dryBuild, envOf, type Instruction, imageSteps, workspaceClosure } from "./dockerfile.ts";

const names = ["user-service", "task-service", "ai-gateway"] as const;
type Name = (typeof names)[number];
const steps = {} as Record<Name, Instruction[]>;
const built = {} as Record<Name, string>;
const folders: string[] = [];
const running: ServiceProcess[] = [];

beforeAll(async () => {
  for (const name of names) {
    steps[name] = imageSteps(name);
    const folder = mkdtempSync(join(tmpdir(), `image-${name}-`));
    folders.push(folder);
    built[name] = await dryBuild(steps[name], folder);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop(10_000)));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Every path under `dir`, relative, not descending into node_modules. */
function files(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name === "node_modules") return [path];
    return entry.isDirectory() ? [path, ...files(dir, path)] : [path];
  });
}

/** The packages bun installed (`name@version` folders of its isolated store). */
const installed = (name: Name) => readdirSync(join(built[name], "node_modules", ".bun"));

describe.each(names)("the %s image", (name) => {
  test("holds no test file, no test folder, and of the workspace packages only those it needs", () => {
    const paths = files(built[name]);
    expect(paths.filter((path) => /\.test\.ts$|(^|\/)test$|^bench|^scripts/.test(path))).toEqual(
      [],
    );
    const folders = readdirSync(built[name], { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !["node_modules", "patches"].includes(entry.name))
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(workspaceClosure(name));
    for (const other of names.filter((each) => each !== name))
      expect(existsSync(join(built[name], other))).toBe(false);
    expect(existsSync(join(built[name], name, "src", "main.ts"))).toBe(true);
  });

  test("holds production dependencies only: no TypeScript, Biome, test or schema-check tools", () => {
    const packages = installed(name);
    expect(packages.length).toBeGreaterThan(20);
    for (const dev of [
      "typescript@",
      "@biomejs",
      "@types+bun",
      // Not yaml, @asyncapi/parser nor ajv-formats: besides dev tools here, they are
      // dependencies of @scalar/api-reference and @asyncapi/react-component, whose browser
      // bundles the services serve at /docs and /asyncapi (the server never imports them).
      "fast-check",
    ])
      expect(packages.filter((entry) => entry.startsWith(dev))).toEqual([]);
    if (name !== "ai-gateway")
      expect(packages.filter((entry) => /qdrant|sqlite-vec/.test(entry))).toEqual([]);
  });
});

test("the services start from their image folders with the image's ENV and pass their HEALTHCHECK", async () => {
  const token = crypto.randomUUID();
  const start = async (name: Name, extra: Record<string, string>) => {
    const port = freePort();
    const env = {
      PATH: process.env.PATH ?? "",
      ...envOf(steps[name]),
      // What compose sets for development, and a free port and folder instead of 3000 and /data.
      NODE_ENV: "development",
      AUTH_MODE: "dev",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), `image-${name}-data-`)),
      LOG_LEVEL: "warn",
      ...extra,
    };
    folders.push(env.DATA_DIR);
    const cwd = join(
      built[name],
      steps[name].findLast((step) => step.op === "WORKDIR")?.args.replace(/^\/app\/?/, "") ?? "",
    );
    const command = JSON.parse(steps[name].findLast((step) => step.op === "CMD")?.args ?? "[]");
    const proc = Bun.spawn(command, { cwd, env, stdout: "ignore", stderr: "inherit" });
    const service: ServiceProcess = {
      name,
      url: `http://127.0.0.1:${port}`,
      proc,
      exited: proc.exited,
      stop: async () => {
        proc.kill("SIGTERM");
        return proc.exited;
      },
      kill9: async () => {
        proc.kill("SIGKILL");
        return proc.exited;
      },
    };
    running.push(service);
    await waitReady(service, "/readyz", 60_000);
    const healthcheck = steps[name].find((step) => step.op === "HEALTHCHECK")?.args ?? "";
    const check = Bun.spawn(["sh", "-c", healthcheck.slice(healthcheck.indexOf("CMD ") + 4)], {
      cwd,
      env,
    });
    expect(await check.exited).toBe(0);
    return service;
  };
  const gateway = await start("ai-gateway", { INGEST_TOKEN: token });
  const users = await start("user-service", { INGEST_TOKEN: token, GATEWAY_URL: gateway.url });
  const created = await fetch(`${users.url}/users`, {
    method: "POST",
    headers: { authorization: "Bearer tenant-i:u", "content-type": "application/json" },
    body: JSON.stringify({ name: "Imogen Image", email: "imogen@i.dev" }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const tasks = await start("task-service", {
    INGEST_TOKEN: token,
    GATEWAY_URL: gateway.url,
    USER_SERVICE_URL: users.url,
  });
  const task = await fetch(`${tasks.url}/tasks`, {
    method: "POST",
    headers: { authorization: "Bearer tenant-i:u", "content-type": "application/json" },
    body: JSON.stringify({ title: "Build the image", assignee: id }),
  });
  expect(task.status).toBe(201);
}, 120_000);
