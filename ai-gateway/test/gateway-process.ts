import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/service-process.ts";

/** The gateway's entry point. */
export const MAIN = join(import.meta.dir, "../src/main.ts");

/** The declaration file of the Python invoices example producer. */
export const INVOICES_YAML = join(import.meta.dir, "../../examples/python-invoices/invoices.yaml");

/** A structured-mode CloudEvent as the billing producer sends it: tenant `acme`, version 1. */
export function billingEvent(type: string, data: Record<string, unknown>) {
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "urn:billing",
    time: "2026-12-05T09:00:00.000Z",
    type,
    tenantid: "acme",
    entityversion: 1,
    data,
  };
}

/**
 * Spawns `bun src/main.ts` on a free port in embedded mode (ingest token `t0ken`, a fresh
 * DATA_DIR unless `env` sets one). `outcome` resolves with the exit code, or "started" once
 * /healthz answers. The caller kills `child`.
 */
export function spawnGateway(env: Record<string, string> = {}) {
  const port = freePort();
  const child = Bun.spawn(["bun", MAIN], {
    env: {
      ...process.env,
      KAFKA_BROKERS: "",
      QDRANT_URL: "",
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), "gw-proc-")),
      INGEST_TOKEN: "t0ken",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  const started = (async () => {
    for (;;) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return "started" as const;
      await Bun.sleep(100);
    }
  })();
  return { child, url, outcome: Promise.race([child.exited, started]) };
}
