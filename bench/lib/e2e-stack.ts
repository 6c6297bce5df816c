// bench:e2e's stack: the services of one mode (embedded, kafka, postgres) started as processes,
// and the pid of the broker or Postgres server, whose CPU counts too; or (bare) bare Hono alone.
import { readdirSync, readFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { brokerStatus } from "../../scripts/kafka.ts";
import { cpuSeconds } from "./report.ts";
import { kafkaBrokers, launch, launchBareHono, postgresDatabase, tempDir } from "./stack.ts";

/** The pid of the process that serves Postgres at `url` (its postmaster), or undefined. */
async function postgresPid(url: string): Promise<number | undefined> {
  const { SQL } = await import("bun");
  const sql = new SQL({ url, max: 1 });
  try {
    const rows =
      (await sql`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`) as {
        pid: number;
      }[];
    // The checkpointer's parent is the postmaster; /proc gives it.
    const pid = rows[0]?.pid;
    if (!pid) return undefined;
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  } finally {
    await sql.close();
  }
}

/** CPU seconds of a process and all its children that have exited or still run (Postgres backends). */
export function treeCpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const own = cpuSeconds(pid) ?? Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime + cstime: children that have been waited for.
    const children = (Number(fields[13]) + Number(fields[14])) / 100;
    let running = 0;
    for (const child of readdirSync("/proc")) {
      if (!/^\d+$/.test(child)) continue;
      try {
        const s = readFileSync(`/proc/${child}/stat`, "utf8");
        const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
        if (Number(f[1]) === pid) running += (Number(f[11]) + Number(f[12])) / 100;
      } catch {}
    }
    return own + children + running;
  } catch {
    return own;
  }
}

export interface Stack {
  /** What takes the creates: user-service, or in `bare` mode bare Hono. */
  userService: { url: string; proc: Subprocess; stop(graceMs?: number): Promise<unknown> };
  /** None in `bare` mode. */
  gateway?: Awaited<ReturnType<typeof launch>>;
  /** The broker's or Postgres' pid, for its CPU. */
  enginePid?: number | undefined;
  engine?: string;
}

export async function startStack(mode: string): Promise<Stack> {
  const token = crypto.randomUUID();
  if (mode === "bare") {
    // The machine's floor at a rate: the same requests answered by bare Hono, nothing behind it.
    const bare = await launchBareHono();
    return { userService: { ...bare, stop: async () => bare.proc.kill() } };
  }
  if (mode === "kafka") {
    const brokers = await kafkaBrokers();
    const prefix = `bench-e2e-${crypto.randomUUID().slice(0, 8)}.`;
    const shared = { KAFKA_BROKERS: brokers, TOPIC_PREFIX: prefix };
    const gateway = await launch("ai-gateway", {
      ...shared,
      DATA_DIR: tempDir("e2e-gw"),
      KAFKA_GROUP_ID: `${prefix}gw`,
    });
    const userService = await launch("user-service", { ...shared, DATA_DIR: tempDir("e2e-us") });
    const status = await brokerStatus();
    return { gateway, userService, enginePid: status.pid ?? undefined, engine: "broker" };
  }
  // KAFKA_BROKERS and DATABASE_URL empty (unset for the services): they inherit this process's
  // environment, and a gateway given the bench's broker would read that broker's default topics
  // (earlier runs' events) instead of the HTTP relay's.
  const gateway = await launch("ai-gateway", {
    DATA_DIR: tempDir("e2e-gw"),
    INGEST_TOKEN: token,
    KAFKA_BROKERS: "",
  });
  const env: Record<string, string> = {
    DATA_DIR: tempDir("e2e-us"),
    GATEWAY_URL: gateway.url,
    INGEST_TOKEN: token,
    KAFKA_BROKERS: "",
    DATABASE_URL: "",
  };
  if (mode === "postgres") {
    env.DATABASE_URL = await postgresDatabase("e2e");
    const userService = await launch("user-service", env);
    return {
      gateway,
      userService,
      enginePid: await postgresPid(env.DATABASE_URL),
      engine: "postgres",
    };
  }
  return { gateway, userService: await launch("user-service", env) };
}
