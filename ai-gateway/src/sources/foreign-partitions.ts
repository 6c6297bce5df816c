/**
 * The partitions of `assignments` whose topic is not in `subscribed`, as `topic:p1,p2`.
 *
 * A group member whose assigner ignores subscriptions (@platformatic/kafka's own round-robin:
 * an older gateway leading the group, or another deployment sharing the group id) can hand a
 * member partitions of topics it does not read. Those stay unread while their owner waits, so
 * the source logs them and `/readyz` reports them (sources/kafka.ts).
 */
export function foreignPartitions(
  assignments: readonly { topic: string; partitions: readonly number[] }[],
  subscribed: ReadonlySet<string>,
): string[] {
  return assignments
    .filter((a) => !subscribed.has(a.topic) && a.partitions.length > 0)
    .map((a) => `${a.topic}:${a.partitions.join(",")}`);
}
