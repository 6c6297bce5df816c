import { expect, test } from "bun:test";
import {
  defaultPartitioner,
  type MessageToProduce,
  type PartitionerContext,
} from "@platformatic/kafka";
import { producerOptions } from "./clients.ts";

// Partitions of these keys among 3, computed by Java's client:
// Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % 3 with kafka-clients 4.1.2.
const JAVA = { "tenant-a/u0": 0, "tenant-b/u1": 2, "tenant-b/u3": 0, k0: 2, k1: 2, k3: 1 };

/** Either partitioner, called the way the producer calls it (then taken modulo the count). */
function partitionOf(
  partitioner: (
    message: MessageToProduce<string>,
    key: Buffer,
    context: PartitionerContext,
  ) => number,
  key: string,
): number {
  return partitioner({ topic: "t" }, Buffer.from(key), { metadata: undefined }) % 3;
}

test("the producer puts a key on the same partition as Java clients do", () => {
  const { partitioner } = producerOptions({ brokers: ["127.0.0.1:1"], clientId: "test" });
  if (!partitioner) throw new Error("createProducer sets no partitioner");
  for (const [key, partition] of Object.entries(JAVA)) {
    expect(partitionOf(partitioner, key)).toBe(partition);
  }
});

test("pins: the library's default partitioner disagrees with Java for some keys", () => {
  // murmur2 >>> 0 instead of & 0x7fffffff; if this starts failing, the default was fixed.
  expect(partitionOf(defaultPartitioner, "tenant-b/u1")).not.toBe(JAVA["tenant-b/u1"]);
  expect(partitionOf(defaultPartitioner, "k0")).not.toBe(JAVA.k0);
});
