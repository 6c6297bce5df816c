import { Consumer } from "@platformatic/kafka";

/** The group's committed offsets on `topic`, summed over `partitions` (none committed: 0). */
export async function committed(
  brokers: string[],
  group: string,
  topic: string,
  partitions = [0, 1],
): Promise<bigint> {
  const consumer = new Consumer({
    groupId: group,
    clientId: "offset-check",
    bootstrapBrokers: brokers,
  });
  try {
    const offsets = await consumer.listCommittedOffsets({ topics: [{ topic, partitions }] });
    return (offsets.get(topic) ?? []).reduce(
      (sum, offset) => sum + (offset > 0n ? offset : 0n),
      0n,
    );
  } finally {
    await consumer.close(true);
  }
}

/** How many messages `topic` holds: its end offsets, summed over its partitions. */
export async function endOffset(brokers: string[], topic: string): Promise<bigint> {
  const consumer = new Consumer({
    groupId: `end-offset-${crypto.randomUUID()}`,
    clientId: "offset-check",
    bootstrapBrokers: brokers,
  });
  try {
    const offsets = await consumer.listOffsets({ topics: [topic] });
    return (offsets.get(topic) ?? []).reduce((sum, offset) => sum + offset, 0n);
  } finally {
    await consumer.close(true);
  }
}
