import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ensurePythonInvoices } from "../../scripts/examples.ts";
import { deadLetters, declaredGateway, describeProducer, searchAfter } from "../producers.ts";

const EXAMPLE = join(import.meta.dir, "..", "..", "examples", "python-invoices");
// Installed once (a venv from PyPI under .cache/): without python3 or PyPI the tests skip, saying why.
const installed = ensurePythonInvoices();
const cleanups: (() => unknown)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

/** Runs the example once: one invoice.paid of tenant `acme`. */
async function publish(command: string[], brokers: string[], prefix: string, args: string[]) {
  const run = Bun.spawn(
    [
      ...command,
      "--brokers",
      brokers.join(","),
      "--topic-prefix",
      prefix,
      "--tenant",
      "acme",
      ...args,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const code = await run.exited;
  if (code !== 0) throw new Error(`publish.py failed: ${await new Response(run.stderr).text()}`);
  return (await new Response(run.stdout).text()).trim();
}

const missing = installed.ok ? null : installed.reason;
await describeProducer("examples/python-invoices", missing, (brokers) => {
  test("its invoice.paid events are searchable with read-your-writes; a broken one is dead-lettered", async () => {
    if (!installed.ok) throw new Error(installed.reason);
    const gateway = await declaredGateway(brokers, join(EXAMPLE, "invoices.yaml"), "py-invoices");
    cleanups.push(() => gateway.child.kill());
    const { prefix } = gateway;
    const invoice = (id: string, memo: string, status: string) =>
      publish(installed.command, brokers, prefix, [
        ...["--id", id, "--customer", "Ada Lovelace", "--memo", memo],
        ...["--status", status, "--amount", "4200"],
      ]);
    expect(await invoice("inv-1", "Analytical engine, annual plan", "paid")).toBe(
      "published invoice.paid acme/inv-1 v1",
    );
    await invoice("inv-2", "Analytical engine, refund", "refunded");
    await invoice("inv-3", "Difference engine", "lost");

    const target = { tenantId: "acme", collection: "invoices", entityId: "inv-2", version: 1 };
    expect(await searchAfter(gateway.url, target, "analytical engine", "status:refunded")).toEqual({
      status: 200,
      ids: ["inv-2"],
    });
    const all = await searchAfter(gateway.url, target, "Ada Lovelace analytical engine");
    expect(all.ids.sort()).toEqual(["inv-1", "inv-2"]);

    expect(await deadLetters(brokers, `${prefix}invoice.events`, 1)).toEqual([
      {
        key: "acme/inv-3",
        code: "invalid_data",
        reason: "data: status: must be equal to one of the allowed values",
      },
    ]);
  }, 180_000);
});
