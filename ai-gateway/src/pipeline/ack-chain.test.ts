import { expect, test } from "bun:test";
import { AckChain } from "./ack-chain.ts";

/** An acknowledgement that records when it started and settles when told to. */
function gate(log: string[], name: string) {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  return {
    ack: async () => {
      log.push(`start ${name}`);
      await promise;
      log.push(`done ${name}`);
    },
    resolve,
    reject,
  };
}

test("starts an acknowledgement only after the one before it settled", async () => {
  const log: string[] = [];
  const chain = new AckChain(5, () => {});
  const a = gate(log, "a");
  const b = gate(log, "b");
  await chain.enqueue(a.ack);
  await chain.enqueue(b.ack);
  await Bun.sleep(1);
  expect(log).toEqual(["start a"]);
  b.resolve();
  await Bun.sleep(1);
  expect(log).toEqual(["start a"]);
  a.resolve();
  await chain.flush();
  expect(log).toEqual(["start a", "done a", "start b", "done b"]);
});

test("a failed acknowledgement is reported and the next one still runs after it", async () => {
  const log: string[] = [];
  const errors: unknown[] = [];
  const chain = new AckChain(5, (error) => errors.push(error));
  const a = gate(log, "a");
  const b = gate(log, "b");
  await chain.enqueue(a.ack);
  await chain.enqueue(b.ack);
  a.reject(new Error("commit refused"));
  await Bun.sleep(1);
  expect(log).toEqual(["start a", "start b"]);
  b.resolve();
  await chain.flush();
  expect(errors).toHaveLength(1);
  expect(log).toEqual(["start a", "start b", "done b"]);
});

test("enqueue waits while more than maxInFlight acknowledgements are pending", async () => {
  const log: string[] = [];
  const chain = new AckChain(1, () => {});
  const a = gate(log, "a");
  const b = gate(log, "b");
  await chain.enqueue(a.ack);
  // Batch N+1 is stored while N's commit is still out: its enqueue waits for N's.
  let returned = false;
  const second = chain.enqueue(b.ack).then(() => {
    returned = true;
  });
  await Bun.sleep(1);
  expect(returned).toBe(false);
  expect(chain.pending).toBe(2);
  a.resolve();
  await second;
  expect(log).toEqual(["start a", "done a", "start b"]);
  expect(chain.pending).toBe(1);
  b.resolve();
  await chain.flush();
  expect(chain.pending).toBe(0);
});
