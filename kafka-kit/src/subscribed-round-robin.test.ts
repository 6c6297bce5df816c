import { expect, test } from "bun:test";
import {
  type ClusterMetadata,
  type ExtendedGroupProtocolSubscription,
  type GroupPartitionsAssignments,
  roundRobinAssigner,
} from "@platformatic/kafka";
import { subscribedRoundRobin } from "./subscribed-round-robin.ts";

/** Members as the leader decodes them from JoinGroup: id → subscribed topics. */
function members(subscriptions: Record<string, string[]>) {
  return new Map<string, ExtendedGroupProtocolSubscription>(
    Object.entries(subscriptions).map(([memberId, topics]) => [
      memberId,
      { memberId, version: 1, topics },
    ]),
  );
}

/** Cluster metadata with these partition counts (only what an assigner reads). */
function metadata(counts: Record<string, number>): ClusterMetadata {
  return {
    id: "cluster",
    brokers: new Map(),
    controllerId: 1,
    lastUpdate: 0,
    topics: new Map(
      Object.entries(counts).map(([topic, partitionsCount]) => [
        topic,
        { id: topic, partitions: [], partitionsCount, lastUpdate: 0 },
      ]),
    ),
  };
}

/** memberId → ["topic:partition", …], sorted: easy to compare. */
function flat(result: GroupPartitionsAssignments[]): Record<string, string[]> {
  return Object.fromEntries(
    result.map(({ memberId, assignments }) => [
      memberId,
      [...assignments.values()].flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)).sort(),
    ]),
  );
}

test("two deployments in one group each get every partition of their own topics, none of the other's", () => {
  const group = members({ "a-1": ["a.user.events", "a.task.events"], "b-1": ["b.user.events"] });
  const cluster = metadata({ "a.user.events": 2, "a.task.events": 2, "b.user.events": 2 });
  // The leader (a-1) passes its own topics; the assignment must not depend on them.
  const result = subscribedRoundRobin("a-1", group, new Set(["a.user.events"]), cluster);
  expect(flat(result)).toEqual({
    "a-1": ["a.task.events:0", "a.task.events:1", "a.user.events:0", "a.user.events:1"],
    "b-1": ["b.user.events:0", "b.user.events:1"],
  });
});

test("pins the library bug: its round-robin hands the leader's topics to a member that never subscribed", () => {
  // If this starts failing, @platformatic/kafka fixed its assigner (see
  // docs/upstream/platformatic-kafka-assigner.md) and ours may be dropped.
  const group = members({ "a-1": ["a.user.events"], "b-1": ["b.user.events"] });
  const cluster = metadata({ "a.user.events": 2, "b.user.events": 2 });
  const result = roundRobinAssigner("a-1", group, new Set(["a.user.events"]), cluster);
  expect(flat(result)).toEqual({ "a-1": ["a.user.events:0"], "b-1": ["a.user.events:1"] });
});

test("rolling upgrade: a topic only the new member reads goes wholly to it, the shared ones are spread", () => {
  const group = members({ old: ["t1", "t2"], new: ["t1", "t2", "t3"] });
  const cluster = metadata({ t1: 2, t2: 2, t3: 3 });
  for (const leader of ["old", "new"]) {
    const leaderTopics = new Set(group.get(leader)?.topics);
    const result = flat(subscribedRoundRobin(leader, group, leaderTopics, cluster));
    expect(result.old?.filter((p) => p.startsWith("t3"))).toEqual([]);
    expect(result.new?.filter((p) => p.startsWith("t3"))).toEqual(["t3:0", "t3:1", "t3:2"]);
    expect(result.old).toHaveLength(2);
    expect(result.new).toHaveLength(5);
  }
});

test("equal subscriptions spread evenly and every partition goes to exactly one member", () => {
  const group = members({ m3: ["x", "y"], m1: ["x", "y"], m2: ["x", "y"] });
  const result = flat(
    subscribedRoundRobin("m1", group, new Set(["x", "y"]), metadata({ x: 3, y: 4 })),
  );
  const all = Object.values(result).flat().sort();
  expect(all).toEqual(["x:0", "x:1", "x:2", "y:0", "y:1", "y:2", "y:3"]);
  expect(Object.values(result).map((partitions) => partitions.length)).toEqual([3, 2, 2]);
  // Members in id order: m1 first, whatever order the broker listed them in.
  expect(result.m1).toEqual(["x:0", "y:0", "y:3"]);
});

test("a member with no subscribed topic gets an empty assignment, and a topic missing from the metadata is skipped", () => {
  const group = members({ a: ["t"], b: [], c: ["gone"] });
  const result = flat(subscribedRoundRobin("a", group, new Set(["t"]), metadata({ t: 2 })));
  expect(result).toEqual({ a: ["t:0", "t:1"], b: [], c: [] });
});
