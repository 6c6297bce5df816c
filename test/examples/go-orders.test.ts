import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ensureGoOrders } from "../../scripts/examples.ts";
import { deadLetters, declaredGateway, describeProducer, searchAfter } from "../producers.ts";

const EXAMPLE = join(import.meta.dir, "..", "..", "examples", "go-orders");
// Built once, before the tests are collected: a missing toolchain or proxy skips them, saying why.
const installed = ensureGoOrders();
const cleanups: (() => unknown)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

/** Runs the example once: one order.created. */
async function publish(binary: string[], brokers: string[], prefix: string, args: string[]) {
  const run = Bun.spawn(
    [...binary, "-brokers", brokers.join(","), "-topic-prefix", prefix, "-tenant", "acme", ...args],
    { stdout: "pipe", stderr: "pipe" },
  );
  const code = await run.exited;
  if (code !== 0) throw new Error(`go-orders failed: ${await new Response(run.stderr).text()}`);
  return (await new Response(run.stdout).text()).trim();
}

const missing = installed.ok ? null : installed.reason;
await describeProducer("examples/go-orders", missing, (brokers) => {
  test("its order.created events are searchable with read-your-writes; a broken one is dead-lettered", async () => {
    if (!installed.ok) throw new Error(installed.reason);
    const binary = installed.command;
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
