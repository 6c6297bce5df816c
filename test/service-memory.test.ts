import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  SERVICE_RAM_BYTES,
  type ServiceProcess,
  startService,
  waitReady,
} from "../scripts/lib/service-process.ts";

const running: ServiceProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment the service process was started with (Linux: /proc/<pid>/environ). */
function environOf(pid: number): Map<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return new Map(
    pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

async function started(env: Record<string, string>): Promise<ServiceProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "service-memory-"));
  dirs.push(dataDir);
  const service = startService({
    name: "ai-gateway",
    port: freePort(),
    env: { DATA_DIR: dataDir, KAFKA_BROKERS: "", QDRANT_URL: "", LOG_LEVEL: "warn", ...env },
  });
  running.push(service);
  await waitReady(service, "/healthz");
  return service;
}

test.skipIf(!existsSync("/proc/self/environ"))(
  "services are started with Bun's heap sized for 1 GiB of RAM, unless the environment says otherwise",
  async () => {
    // What `bun run dev`, the benchmarks and the tests start: the garbage collector sized for
    // 1 GiB, not for the host's RAM (bench/README.md, round 8: peak RSS under an ingest flood).
    const byDefault = await started({});
    expect(environOf(byDefault.proc.pid).get("BUN_JSC_forceRAMSize")).toBe(
      process.env.BUN_JSC_forceRAMSize ?? SERVICE_RAM_BYTES,
    );
    expect(SERVICE_RAM_BYTES).toBe(String(1024 ** 3));
    // An operator's own value is kept.
    const chosen = await started({ BUN_JSC_forceRAMSize: String(512 * 1024 ** 2) });
    expect(environOf(chosen.proc.pid).get("BUN_JSC_forceRAMSize")).toBe(String(512 * 1024 ** 2));
  },
);
