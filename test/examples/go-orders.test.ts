import { afterAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { deadLetters, declaredGateway, describeProducer, searchAfter } from "../producers.ts";

const ROOT = join(import.meta.dir, "..", "..");
const EXAMPLE = join(ROOT, "examples", "go-orders");
const CACHE = join(ROOT, ".cache", "go");
const GO = Bun.which("go") ?? Bun.which("/usr/local/go/bin/go");
const cleanups: (() => unknown)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

/** Go's caches under .cache/ (CI keeps it), modules from the Go proxy. */
const goEnv = () => {
  mkdirSync(CACHE, { recursive: true });
  return { ...process.env, GOMODCACHE: join(CACHE, "mod"), GOCACHE: join(CACHE, "build") };
};

/** Builds the example; its binary. */
function build(): string {
  const binary = join(CACHE, "go-orders");
  const built = Bun.spawnSync([GO as string, "build", "-o", binary, "."], {
    cwd: EXAMPLE,
    env: goEnv(),
    stderr: "pipe",
  });
  if (built.exitCode !== 0) throw new Error(`go build failed: ${built.stderr.toString()}`);
  return binary;
}

/** Runs the example once: one order.created. */
async function publish(binary: string, brokers: string[], prefix: string, args: string[]) {
  const run = Bun.spawn(
    [binary, "-brokers", brokers.join(","), "-topic-prefix", prefix, "-tenant", "acme", ...args],
    { stdout: "pipe", stderr: "pipe" },
  );
  const code = await run.exited;
  if (code !== 0) throw new Error(`go-orders failed: ${await new Response(run.stderr).text()}`);
  return (await new Response(run.stdout).text()).trim();
}

await describeProducer("examples/go-orders", GO ? null : "Go is not installed", (brokers) => {
  test("its order.created events are searchable with read-your-writes; a broken one is dead-lettered", async () => {
    const binary = build();
    const gateway = await declaredGateway(brokers, join(EXAMPLE, "orders.yaml"), "go-orders");
    cleanups.push(() => gateway.child.kill());
    const { prefix } = gateway;
    const order = (id: string, item: string, status: string, total: string) =>
      publish(binary, brokers, prefix, [
        ...["-id", id, "-customer", "Grace Hopper", "-item", item],
        ...["-status", status, "-total", total],
      ]);
    expect(await order("ord-1", "Lathe, bench model", "placed", "4200")).toBe(
      "published order.created acme/ord-1 v1",
    );
    await order("ord-2", "Lathe chuck", "shipped", "900");
    await order("ord-3", "Lathe belt", "placed", "-5");

    const target = { tenantId: "acme", collection: "orders", entityId: "ord-2", version: 1 };
    expect(await searchAfter(gateway.url, target, "lathe", "status:shipped")).toEqual({
      status: 200,
      ids: ["ord-2"],
    });
    const all = await searchAfter(gateway.url, target, "Grace Hopper lathe");
    expect(all.ids.sort()).toEqual(["ord-1", "ord-2"]);

    expect(await deadLetters(brokers, `${prefix}order.events`, 1)).toEqual([
      { key: "acme/ord-3", code: "invalid_data", reason: "data: totalCents: must be >= 0" },
    ]);
  }, 180_000);
});
