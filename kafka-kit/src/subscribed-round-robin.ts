import type {
  ClusterMetadata,
  ExtendedGroupProtocolSubscription,
  GroupAssignment,
  GroupPartitionsAssigner,
  GroupPartitionsAssignments,
} from "@platformatic/kafka";

/**
 * Round-robin over every subscribed topic-partition, each given only to a member subscribed to
 * its topic: what Java's `RoundRobinAssignor` does. Members in id order, partitions in (topic,
 * partition) order; a partition goes to the next member in the circle that subscribes to it.
 * With equal subscriptions the spread is even; with different ones, no member is handed a topic
 * it does not read.
 *
 * Why not the library's: `roundRobinAssigner` of @platformatic/kafka 2.12.1 deals the *leader's*
 * topics to every member, ignoring each member's own subscription (kafkajs issue 1679 is the
 * same bug). Two deployments with different topic prefixes in one group then stall each other:
 * the second member is handed a partition of the leader's topics, which its stream never
 * fetches, and none of its own (docs/upstream/platformatic-kafka-assigner.md).
 *
 * The topics come from the members' subscriptions, not from the `topics` argument (the leader's
 * own). The leader reads metadata for the union of all subscriptions before calling this
 * (`#performSyncGroup` in 2.12.1) and fails the sync, to retry, when a topic is missing from it;
 * a topic still absent here is skipped rather than thrown on, since a throw inside the library's
 * callback would crash the process.
 *
 * Eager protocol only (`roundrobin`, the library's default): it ignores owned partitions, which
 * `cooperative-sticky` needs to move a partition safely.
 */
export const subscribedRoundRobin: GroupPartitionsAssigner = (
  _leader: string,
  members: Map<string, ExtendedGroupProtocolSubscription>,
  _leaderTopics: Set<string>,
  metadata: ClusterMetadata,
): GroupPartitionsAssignments[] => {
  const memberIds = [...members.keys()].sort();
  const subscribed = new Map<string, Set<string>>();
  for (const id of memberIds) subscribed.set(id, new Set(members.get(id)?.topics ?? []));
  const topics = [...new Set(memberIds.flatMap((id) => [...(subscribed.get(id) ?? [])]))].sort();

  const result = memberIds.map((memberId) => ({
    memberId,
    assignments: new Map<string, GroupAssignment>(),
  }));
  let next = 0;
  for (const topic of topics) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let partition = 0; partition < count; partition++) {
      // At least one member subscribes to `topic`, so this finds one within a full circle.
      for (let step = 0; step < result.length; step++) {
        const member = result[(next + step) % result.length];
        if (!member || !subscribed.get(member.memberId)?.has(topic)) continue;
        const assigned = member.assignments.get(topic);
        if (assigned) assigned.partitions.push(partition);
        else member.assignments.set(topic, { topic, partitions: [partition] });
        next = (next + step + 1) % result.length;
        break;
      }
    }
  }
  return result;
};
